package dev.ferry.migration;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Optional;

/**
 * Where a migration is, with what that phase needs and what the phases before it produced: the
 * {@link Plan} from preflight, the destination's {@link Offer} and the {@link Measured} figures.
 * {@link MigrationStateMachine} is the only way from one state to the next, and the source agent's
 * journal records each state before the phase that acts on it runs, so a restart resumes from the
 * journal. Terminal states: {@link Completed}, {@link Aborted}, {@link Failed}.
 *
 * <pre>
 *  Preflight ─PreflightPassed(plan)→ Preparing(plan) ─DestinationPrepared(offer, measured)→
 *     ├─ disks to copy → Mirroring(setup) ─MirrorsReady→ PreCopy(setup, 1)
 *     └─ otherwise ───────────────────────────────────→ PreCopy(setup, 1)
 *  PreCopy(pass) ─PassStarted→ PreCopy(pass+1) ─PreSwitchoverReached→ Switchover(setup)
 *  Switchover ─StreamCompleted→ Handover(plan, epoch+1) ─HandedOver(epoch)→ Cleanup ─→ Completed
 *
 *  rollback arcs (abort or fault before handover; the VM keeps running on the source):
 *  Preflight | Preparing | Mirroring | PreCopy (pre-copy only) | Switchover
 *        ─AbortRequested | Fault→ RollingBack(from, plan) ─RolledBack→ Aborted | Failed
 *  Handover ─HandoverRefused→ RollingBack        Handover ─HandoverUnknown→ Failed (VM kept paused)
 *  PreCopy(post-copy) ─Fault→ Failed (the guest's memory is split between the hosts)
 *  Cleanup ─Fault→ Completed (a warning: the VM already runs on the destination)
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

  /** The plan this state works from; before preflight settled one, empty. */
  default Optional<Plan> workingPlan() {
    return switch (this) {
      case Preflight p -> Optional.empty();
      case Preparing p -> Optional.of(p.plan());
      case Mirroring m -> Optional.of(m.setup().plan());
      case PreCopy p -> Optional.of(p.setup().plan());
      case Switchover s -> Optional.of(s.setup().plan());
      case Handover h -> Optional.of(h.plan());
      case Cleanup c -> Optional.of(c.plan());
      case RollingBack r -> Optional.of(r.plan());
      case Completed c -> Optional.empty();
      case Aborted a -> Optional.empty();
      case Failed f -> Optional.empty();
    };
  }

  /** Checks on both hosts; nothing touched yet. */
  record Preflight() implements MigrationState {
    @Override
    public MigrationPhase phase() {
      return MigrationPhase.PREFLIGHT;
    }
  }

  /** The destination starts its QEMU while the source measures. */
  record Preparing(Plan plan) implements MigrationState {
    @Override
    public MigrationPhase phase() {
      return MigrationPhase.PREPARE;
    }
  }

  /** Disks not visible to the destination are copied over NBD until the mirrors are ready. */
  record Mirroring(Setup setup) implements MigrationState {
    @Override
    public MigrationPhase phase() {
      return MigrationPhase.DISK_MIRROR;
    }
  }

  /** Memory pre-copy; {@code pass} counts QEMU's dirty-bitmap syncs, from 1. */
  record PreCopy(Setup setup, long pass, boolean postcopy) implements MigrationState {
    @Override
    public MigrationPhase phase() {
      return MigrationPhase.PRECOPY;
    }
  }

  /** The source is paused; the mirrors complete and the last memory and device state go out. */
  record Switchover(Setup setup) implements MigrationState {
    @Override
    public MigrationPhase phase() {
      return MigrationPhase.SWITCHOVER;
    }
  }

  /** The stream is complete; ownership moves to the destination with {@code epoch}. */
  record Handover(Plan plan, long epoch) implements MigrationState {
    @Override
    public MigrationPhase phase() {
      return MigrationPhase.HANDOVER;
    }
  }

  /** The destination owns and runs the VM with {@code epoch}; the source releases its side. */
  record Cleanup(Plan plan, long epoch) implements MigrationState {
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
   * @param plan what the migration had set out to do: what the rollback may have to undo
   */
  record RollingBack(MigrationPhase from, boolean aborted, String reason, Plan plan)
      implements MigrationState {
    @Override
    public MigrationPhase phase() {
      return from;
    }
  }

  /** The VM runs on the destination with {@code epoch}. */
  record Completed(long epoch) implements MigrationState {
    /** Also reads records from before states carried data (no epoch: 0). */
    @JsonCreator
    static Completed read(@JsonProperty("epoch") Long epoch) {
      return new Completed(epoch == null ? 0 : epoch);
    }

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
