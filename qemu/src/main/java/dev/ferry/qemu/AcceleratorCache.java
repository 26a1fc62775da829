package dev.ferry.qemu;

import dev.ferry.common.ByteSize;
import dev.ferry.common.Persisted;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last {@code auto} accelerator decision, kept for as long as nothing it rests on changed: the
 * same kernel boot ({@code /proc/sys/kernel/random/boot_id}), the same QEMU binary (path, version,
 * size, modification time) and the same probe guest. Proving KVM boots a guest takes up to 20 s; an
 * agent restarted after a crash must answer within about a second, so it reads the decision here
 * instead of probing again. A file that cannot be trusted is a miss, never an error.
 */
public final class AcceleratorCache {
  private static final Logger log = LoggerFactory.getLogger(AcceleratorCache.class);
  static final Persisted<Entry> FORMAT =
      Persisted.of("accelerator-decision", 1, Entry.class, ByteSize.ofKiB(16));
  private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

  /** What a decision rests on. */
  public record Key(
      String bootId,
      String qemuPath,
      String qemuVersion,
      long qemuSize,
      long qemuModified,
      Optional<String> probeKernel,
      Optional<String> probeInitrd) {}

  /** The file's content. */
  public record Entry(Key key, AcceleratorDecision decision) {}

  private final Path file;
  private final Supplier<String> bootId;

  public AcceleratorCache(Path file) {
    this(file, AcceleratorCache::readBootId);
  }

  AcceleratorCache(Path file, Supplier<String> bootId) {
    this.file = Objects.requireNonNull(file, "file");
    this.bootId = bootId;
  }

  /** The key for this boot, {@code qemu} and {@code probe}. */
  public Key keyFor(QemuBinary qemu, Optional<ProbeGuest> probe) {
    long size = -1;
    long modified = -1;
    try {
      size = Files.size(qemu.path());
      modified = Files.getLastModifiedTime(qemu.path()).toMillis();
    } catch (IOException e) {
      log.debug("cannot stat {}: {}", qemu.path(), e.toString());
    }
    return new Key(
        bootId.get(),
        qemu.path().toString(),
        qemu.version(),
        size,
        modified,
        probe.map(p -> p.kernel().toString()),
        probe.map(p -> p.initrd().toString()));
  }

  /** The decision made under {@code key}, if one was. */
  public Optional<AcceleratorDecision> get(Key key) {
    try {
      return FORMAT.read(file).filter(e -> e.key().equals(key)).map(Entry::decision);
    } catch (RuntimeException e) {
      log.warn("Ignoring the cached accelerator decision in {}: {}", file, e.getMessage());
      return Optional.empty();
    }
  }

  /** Keeps {@code decision} for {@code key}; a failure to write only costs the next probe. */
  public void put(Key key, AcceleratorDecision decision) {
    try {
      FORMAT.write(file, new Entry(key, decision));
    } catch (RuntimeException e) {
      log.warn("Cannot keep the accelerator decision in {}: {}", file, e.getMessage());
    }
  }

  private static String readBootId() {
    try {
      return Files.readString(BOOT_ID).strip();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
