package dev.ferry.agent.migration;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.common.Json;
import dev.ferry.migration.MigrationRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Migration records on disk, one JSON file each under {@code <stateDir>/migrations/}, written
 * atomically, with the source side's private recovery notes beside them.
 */
final class MigrationStore {
  private static final Logger log = LoggerFactory.getLogger(MigrationStore.class);
  private static final ObjectMapper JSON = Json.strict();
  private static final long MAX_BYTES = 4 << 20;

  private final Path dir;

  MigrationStore(Path stateDir) {
    this.dir = stateDir.resolve("migrations");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
  }

  void save(MigrationRecord record) {
    write(dir.resolve(record.id() + ".json"), record);
  }

  void saveNotes(OutgoingNotes notes) {
    write(dir.resolve(notes.id() + ".outgoing.json"), notes);
  }

  void deleteNotes(String id) {
    try {
      Files.deleteIfExists(dir.resolve(id + ".outgoing.json"));
    } catch (IOException e) {
      log.warn("Cannot delete recovery notes of {}: {}", id, e.toString());
    }
  }

  List<MigrationRecord> loadRecords() {
    return load(".json", MigrationRecord.class, p -> !p.endsWith(".outgoing.json"));
  }

  List<OutgoingNotes> loadNotes() {
    return load(".outgoing.json", OutgoingNotes.class, p -> true);
  }

  private <T> List<T> load(
      String suffix, Class<T> type, java.util.function.Predicate<String> keep) {
    List<T> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        String name = f.getFileName().toString();
        if (!name.endsWith(suffix) || !keep.test(name)) {
          continue;
        }
        try {
          if (Files.size(f) > MAX_BYTES) {
            throw new IOException("larger than " + MAX_BYTES + " bytes");
          }
          out.add(JSON.readValue(f.toFile(), type));
        } catch (IOException e) {
          log.error("Skipping unreadable migration file {}: {}", f, e.getMessage());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    return out;
  }

  private static void write(Path file, Object value) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(value));
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
