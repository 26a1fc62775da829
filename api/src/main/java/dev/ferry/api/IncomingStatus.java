package dev.ferry.api;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.ferry.migration.MigrationId;
import java.util.Locale;
import java.util.Optional;

/**
 * The destination's side of a migration.
 *
 * @param migration the migration
 * @param vm the VM's name
 * @param state where the incoming side is
 * @param qemuStatus the destination QEMU's incoming migration status, when it has one
 * @param epoch the ownership epoch, once handed over
 */
public record IncomingStatus(
    MigrationId migration,
    String vm,
    State state,
    Optional<String> qemuStatus,
    Optional<Long> epoch) {

  /** Lifecycle of the incoming side. */
  public enum State {
    /** QEMU waits for or receives the stream. */
    RECEIVING,
    /** The destination owns and runs the VM. */
    HANDED_OVER,
    /** Removed: aborted by the source, by the watchdog, or after a failure. */
    ABORTED;

    @JsonValue
    public String text() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }
}
