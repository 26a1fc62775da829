package dev.ferry.agent.migration.outgoing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.common.ByteSize;
import dev.ferry.common.Persisted;
import dev.ferry.migration.MigrationRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source side's journals on disk, under {@code <stateDir>/migrations/}: one migration record
 * per migration ({@code <id>.json}, rewritten at every transition before the next phase acts) and,
 * while it runs, its recovery notes ({@code <id>.outgoing.json}). Both are {@link Persisted} files:
 * versioned, checksummed, size-limited, fsynced and atomically replaced. Files from before this
 * format (plain JSON, record format 1) are read as the previous version.
 */
final class OutgoingStore {
  private static final Logger log = LoggerFactory.getLogger(OutgoingStore.class);
  private static final String NOTES_SUFFIX = ".outgoing.json";
  private static final Persisted<MigrationRecord> RECORDS =
      Persisted.of(
              "migration-record",
              MigrationRecord.FORMAT_VERSION,
              MigrationRecord.class,
              ByteSize.ofMiB(4))
          .upgradingPrevious(OutgoingStore::upgradeRecord)
          .acceptingLegacy();
  private static final Persisted<OutgoingNotes> NOTES =
      Persisted.of("migration-notes", 2, OutgoingNotes.class, ByteSize.ofKiB(64))
          .upgradingPrevious(n -> n)
          .acceptingLegacy();

  private final Path dir;

  OutgoingStore(Path stateDir) {
    this.dir = stateDir.resolve("migrations");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
  }

  /** Journals the record; throws when it cannot, so no phase acts on an unrecorded state. */
  void save(MigrationRecord record) {
    RECORDS.write(dir.resolve(record.id() + ".json"), record);
  }

  void saveNotes(OutgoingNotes notes) {
    NOTES.write(dir.resolve(notes.id() + NOTES_SUFFIX), notes);
  }

  void deleteNotes(String id) {
    try {
      Persisted.delete(dir.resolve(id + NOTES_SUFFIX));
    } catch (UncheckedIOException e) {
      log.warn("Cannot delete recovery notes of {}: {}", id, e.getMessage());
    }
  }

  List<MigrationRecord> loadRecords() {
    return load(f -> f.endsWith(".json") && !f.endsWith(NOTES_SUFFIX), RECORDS::read);
  }

  List<OutgoingNotes> loadNotes() {
    return load(f -> f.endsWith(NOTES_SUFFIX), NOTES::read);
  }

  private <T> List<T> load(
      java.util.function.Predicate<String> wanted, Function<Path, Optional<T>> reader) {
    List<T> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        if (!wanted.test(f.getFileName().toString())) {
          continue;
        }
        try {
          reader.apply(f).ifPresent(out::add);
        } catch (Persisted.Corrupt | UncheckedIOException e) {
          log.error("Skipping migration file that cannot be trusted: {}", e.getMessage());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    return out;
  }

  /**
   * Format 1 records had states without data. A finished one keeps its outcome (a completed
   * migration gets the epoch it recorded); an unfinished one cannot be resumed from it and is
   * recorded as failed where it stood, for the operator to see.
   */
  static JsonNode upgradeRecord(JsonNode old) {
    ObjectNode rec =
        ((ObjectNode) old.deepCopy()).put("formatVersion", MigrationRecord.FORMAT_VERSION);
    ObjectNode state = (ObjectNode) rec.path("state");
    String name = state.path("name").asText();
    switch (name) {
      case "completed" -> state.put("epoch", rec.path("epoch").asLong(0));
      case "aborted", "failed" -> {}
      default -> {
        String phase = phaseOf(name);
        rec.set(
            "state",
            rec.objectNode()
                .put("name", "failed")
                .put("phase", phase)
                .put(
                    "cause",
                    "recorded in " + name + " by an older agent; its journal cannot resume it"));
      }
    }
    return rec;
  }

  private static String phaseOf(String state) {
    return switch (state) {
      case "preparing" -> "prepare";
      case "mirroring" -> "disk-mirror";
      case "rolling-back", "precopy" -> "precopy";
      case "preflight", "switchover", "handover", "cleanup" -> state;
      default -> "preflight";
    };
  }
}
