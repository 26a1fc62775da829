package dev.ferry.migration;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Where a migration is. Each state carries its own data; {@link MigrationStateMachine} is the only
 * way from one to the next. Terminal states: {@link Completed}, {@link Aborted}, {@link Failed}.
 *
 * <pre>
 *  Preflight → Preparing → [Mirroring] → PreCopy(pass) → Switchover → Handover → Cleanup → Completed
 *      └──────────┴────────────┴──────────────┘  abort or fault
 *                         ↓
 *                    RollingBack → Aborted | Failed   (VM running on the source)
 *  Handover ── handover outcome unknown ──→ Failed    (VM kept paused: never two copies)
 * </pre>
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "name")
@JsonSubTypes({
  @JsonSubTypes.Type(value = MigrationState.Preflight.class, name = "preflight"),
  @JsonSubTypes.Type(value = MigrationState.Preparing.class, name = "preparing"),
  @JsonSubTypes.Type(value = MigrationState.Mirroring.class, name = "mirroring"),
  @JsonSubTypes.Type(value = MigrationState.PreCopy.class, name = "precopy"),
  @JsonSubTypes.Type(value = MigrationState.Switchover.class, name = "switchover"),
  @JsonSubTypes.Type(value = MigrationState.Handover.class, name = "handover"),
  @JsonSubTypes.Type(value = MigrationState.Cleanup.class, name = "cleanup"),
  @JsonSubTypes.Type(value = MigrationState.RollingBack.class, name = "rolling-back"),
  @JsonSubTypes.Type(value = MigrationState.Completed.class, name = "completed"),
  @JsonSubTypes.Type(value = MigrationState.Aborted.class, name = "aborted"),
  @JsonSubTypes.Type(value = MigrationState.Failed.class, name = "failed")
})
public sealed interface MigrationState {

  /** The phase this state belongs to (for terminal states: the phase it ended in). */
  MigrationPhase phase();

  default boolean terminal() {
    return this instanceof Completed || this instanceof Aborted || this instanceof Failed;
  }

  /** The state's name as shown to operators. */
  default String label() {
    return switch (this) {
      case Preflight p -> "preflight";
      case Preparing p -> "preparing";
      case Mirroring m -> "mirroring";
      case PreCopy p -> "precopy";
      case Switchover s -> "switchover";
      case Handover h -> "handover";
      case Cleanup c -> "cleanup";
      case RollingBack r -> "rolling-back";
      case Completed c -> "completed";
      case Aborted a -> "aborted";
      case Failed f -> "failed";
    };
  }

  record Preflight() implements MigrationState {
    @Override
    public MigrationPhase phase() {
      return MigrationPhase.PREFLIGHT;
    }
  }

  record Preparing() implements MigrationState {
    @Override
    public MigrationPhase phase() {
      return MigrationPhase.PREPARE;
    }
  }

  /** Disks not visible to the destination are copied over NBD until the mirrors are ready. */
  record Mirroring() implements MigrationState {
    @Override
    public MigrationPhase phase() {
      return MigrationPhase.DISK_MIRROR;
    }
  }

  /** Memory pre-copy; {@code pass} counts QEMU's dirty-bitmap syncs, from 1. */
  record PreCopy(long pass, boolean postcopy) implements MigrationState {
    @Override
    public MigrationPhase phase() {
      return MigrationPhase.PRECOPY;
    }
  }

  record Switchover() implements MigrationState {
    @Override
    public MigrationPhase phase() {
      return MigrationPhase.SWITCHOVER;
    }
  }

  record Handover() implements MigrationState {
    @Override
    public MigrationPhase phase() {
      return MigrationPhase.HANDOVER;
    }
  }

  record Cleanup() implements MigrationState {
    @Override
    public MigrationPhase phase() {
      return MigrationPhase.CLEANUP;
    }
  }

  /**
   * Undoing a migration that was aborted or failed before handover.
   *
   * @param from the phase it was in
   * @param aborted true for an operator's abort (or the timeout action), false for a fault
   * @param reason why
   */
  record RollingBack(MigrationPhase from, boolean aborted, String reason)
      implements MigrationState {
    @Override
    public MigrationPhase phase() {
      return from;
    }
  }

  record Completed() implements MigrationState {
    @Override
    public MigrationPhase phase() {
      return MigrationPhase.CLEANUP;
    }
  }

  /** Aborted on request; the VM runs on the source. */
  record Aborted(MigrationPhase phase, String reason) implements MigrationState {}

  /** Failed; {@code cause} names what broke and where the VM is. */
  record Failed(MigrationPhase phase, String cause) implements MigrationState {}
}
