package dev.ferry.agent.vm;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.common.Json;
import dev.ferry.qemu.RuntimePaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VM records on disk: {@code <stateDir>/vms/<name>/vm.json}, written atomically (temp file +
 * rename) so a crash leaves either the old or the new record, and the VM's runtime directory {@code
 * <stateDir>/vms/<name>/run/} beside it.
 */
public final class VmStore {
  private static final Logger log = LoggerFactory.getLogger(VmStore.class);
  private static final long MAX_RECORD_BYTES = 1 << 20;
  private static final ObjectMapper JSON = Json.strict();

  private final Path vmsDir;

  public VmStore(Path stateDir) {
    this.vmsDir = stateDir.resolve("vms");
    try {
      Files.createDirectories(vmsDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + vmsDir, e);
    }
  }

  public RuntimePaths runtimePaths(String name) {
    return new RuntimePaths(vmsDir.resolve(name).resolve("run"));
  }

  public void save(VmRecord record) {
    Path dir = vmsDir.resolve(record.spec().name());
    Path file = dir.resolve("vm.json");
    Path tmp = dir.resolve("vm.json.tmp");
    try {
      Files.createDirectories(dir);
      Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(record));
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save VM record " + file, e);
    }
  }

  /** Loads every readable record; unreadable ones are logged and skipped, never deleted. */
  public List<VmRecord> loadAll() {
    List<VmRecord> out = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(vmsDir)) {
      for (Path dir : dirs.sorted().toList()) {
        Path file = dir.resolve("vm.json");
        if (!Files.isRegularFile(file)) {
          continue;
        }
        try {
          if (Files.size(file) > MAX_RECORD_BYTES) {
            throw new IOException("larger than " + MAX_RECORD_BYTES + " bytes");
          }
          VmRecord r = JSON.readValue(file.toFile(), VmRecord.class);
          if (r.formatVersion() != VmRecord.FORMAT_VERSION) {
            throw new IOException("unknown format version " + r.formatVersion());
          }
          out.add(r);
        } catch (IOException e) {
          log.error("Skipping unreadable VM record {}: {}", file, e.getMessage());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + vmsDir, e);
    }
    return out;
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
}
