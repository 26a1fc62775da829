package dev.ferry.agent.vm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.agent.AgentException;
import dev.ferry.common.ByteSize;
import dev.ferry.common.Persisted;
import dev.ferry.qemu.RuntimePaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The VM records on disk: {@code <stateDir>/vms/<name>/vm.json} as a {@link Persisted} state file
 * (kind {@code vm-record}; versioned, CRC32C-checked, size-limited, fsynced and atomically
 * replaced), and the VM's runtime directory {@code <stateDir>/vms/<name>/run/} beside it.
 *
 * <p>Format versions: 1 is the plain JSON written before state files had a header (with a {@code
 * formatVersion: 1} field); it is still read, and rewritten as version 2 at the VM's next change.
 * Version 2 is {@link VmRecord} under the header. Thread-safe; each VM's writes are serialised by
 * its own lock.
 */
public final class VmStore {
  static final String FILE = "vm.json";

  /** The file format of {@code vm.json}. */
  static final Persisted<VmRecord> FORMAT =
      Persisted.of("vm-record", 2, VmRecord.class, ByteSize.ofMiB(1))
          .upgradingPrevious(VmStore::fromVersion1)
          .acceptingLegacy();

  private final Path vmsDir;

  public VmStore(Path stateDir) {
    this.vmsDir = stateDir.resolve("vms");
    try {
      Files.createDirectories(vmsDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + vmsDir, e);
    }
  }

  /** A record file that exists but cannot be trusted; its VM is neither loaded nor replaced. */
  public record Unreadable(String name, Path file, String why) {}

  /** What {@link #loadAll} found. */
  public record Loaded(List<VmRecord> records, List<Unreadable> unreadable) {
    public Loaded {
      records = List.copyOf(records);
      unreadable = List.copyOf(unreadable);
    }
  }

  public RuntimePaths runtimePaths(String name) {
    return new RuntimePaths(vmsDir.resolve(name).resolve("run"));
  }

  /** The record file of VM {@code name}. */
  public Path file(String name) {
    return vmsDir.resolve(name).resolve(FILE);
  }

  /**
   * Writes a VM's record durably.
   *
   * @throws AgentException.Failed naming the file and the cause when it cannot be written; the
   *     previous record is then left as it was
   */
  public void save(VmRecord record) {
    Path file = file(record.spec().name());
    try {
      FORMAT.write(file, record);
    } catch (UncheckedIOException e) {
      throw new AgentException.Failed(
          "cannot write " + file + ": " + e.getCause().getMessage(), e.getCause());
    } catch (IllegalArgumentException e) {
      throw new AgentException.Failed("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Reads every record; those that cannot be trusted are reported, never deleted or skipped. */
  public Loaded loadAll() {
    List<VmRecord> records = new ArrayList<>();
    List<Unreadable> unreadable = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(vmsDir)) {
      for (Path dir : dirs.sorted().toList()) {
        String name = dir.getFileName().toString();
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
          continue;
        }
        try {
          VmRecord r = FORMAT.read(file).orElseThrow();
          if (!r.spec().name().equals(name)) {
            throw new Persisted.Corrupt(
                file.toString(), "holds VM '" + r.spec().name() + "', not '" + name + "'");
          }
          records.add(r);
        } catch (Persisted.Corrupt | UncheckedIOException e) {
          unreadable.add(new Unreadable(name, file, e.getMessage()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + vmsDir, e);
    }
    return new Loaded(records, unreadable);
  }

  /** Removes a VM's record and runtime files (not its disk images). */
  public void delete(String name) {
    Path dir = vmsDir.resolve(name);
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }

  /** Version 1 carried its version inside: {@code "formatVersion": 1}. */
  private static JsonNode fromVersion1(JsonNode node) {
    if (!(node instanceof ObjectNode object)) {
      throw new Persisted.Corrupt("vm record", "is not a JSON object");
    }
    JsonNode version = object.remove("formatVersion");
    if (version != null && version.asInt(-1) != 1) {
      throw new Persisted.Corrupt(
          "vm record", "format version " + version + " is not readable by this version of Ferry");
    }
    return object;
  }
}
