package dev.ferry.agent.migration.incoming;

import dev.ferry.common.ByteSize;
import dev.ferry.common.Persisted;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The destination's journals on disk, one {@link Persisted} file per incoming migration under
 * {@code <stateDir>/incoming/}: versioned, checksummed, fsynced and atomically replaced.
 */
final class IncomingStore {
  private static final Logger log = LoggerFactory.getLogger(IncomingStore.class);
  private static final Persisted<IncomingRecord> FORMAT =
      Persisted.of("incoming-migration", 1, IncomingRecord.class, ByteSize.ofKiB(256));

  private final Path dir;

  IncomingStore(Path stateDir) {
    this.dir = stateDir.resolve("incoming");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
  }

  /** Journals the side; throws when it cannot, so nothing acts on an unrecorded state. */
  void save(IncomingRecord r) {
    FORMAT.write(file(r.migration().value()), r);
  }

  void delete(String id) {
    Persisted.delete(file(id));
  }

  List<IncomingRecord> load() {
    List<IncomingRecord> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        try {
          FORMAT.read(f).ifPresent(out::add);
        } catch (Persisted.Corrupt | UncheckedIOException e) {
          log.error(
              "Skipping incoming-migration journal that cannot be trusted: {}", e.getMessage());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    return out;
  }

  private Path file(String id) {
    if (!id.matches("[A-Za-z0-9-]{1,64}")) {
      throw new IllegalArgumentException("not a migration id: '" + id + "'");
    }
    return dir.resolve(id + ".json");
  }
}
