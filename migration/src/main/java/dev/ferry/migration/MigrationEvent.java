package dev.ferry.migration;

import java.util.Objects;

/**
 * What can happen to a migration; input of {@link MigrationStateMachine#next}. Events carry what
 * the phase that emitted them produced, so the next state holds it.
 */
public sealed interface MigrationEvent {
  /** Both hosts passed the checks; {@code plan} is what the migration will do. */
  record PreflightPassed(Plan plan) implements MigrationEvent {
    public PreflightPassed {
      Objects.requireNonNull(plan, "plan");
    }
  }

  /** The destination waits for the stream; the measurements and prediction are made. */
  record DestinationPrepared(Offer offer, Measured measured) implements MigrationEvent {
    public DestinationPrepared {
      Objects.requireNonNull(offer, "offer");
      Objects.requireNonNull(measured, "measured");
    }
  }

  /** Every disk mirror caught up and now follows the guest's writes. */
  record MirrorsReady() implements MigrationEvent {}

  /** QEMU started another pass over dirty memory. */
  record PassStarted(long pass) implements MigrationEvent {}

  /** QEMU switched to post-copy: the destination runs the guest from here. */
  record PostcopyStarted() implements MigrationEvent {}

  /** The source is paused before the last pass ({@code pause-before-switchover}). */
  record PreSwitchoverReached() implements MigrationEvent {}

  /** QEMU reports the stream complete; the destination holds the whole guest, paused. */
  record StreamCompleted() implements MigrationEvent {}

  /**
   * QEMU switched to post-copy after the switchover: the destination holds the device state, still
   * paused, and pulls the memory it lacks on demand. Ownership moves now, so that the guest runs
   * there while the rest of its memory streams; the source can no longer resume it.
   */
  record PostcopySwitched() implements MigrationEvent {}

  /**
   * A post-copy stream could not be finished: the guest's memory is split between the hosts and one
   * part is gone or out of reach for good. The source QEMU is kept, paused.
   */
  record PostcopyLost(String cause) implements MigrationEvent {}

  /** The destination confirmed it owns and runs the VM. */
  record HandedOver(long epoch) implements MigrationEvent {}

  /** The destination refused or aborted the handover; it does not run the VM. */
  record HandoverRefused(String cause) implements MigrationEvent {}

  /** Whether the destination runs the VM cannot be known (e.g. unreachable). */
  record HandoverUnknown(String cause) implements MigrationEvent {}

  record CleanedUp() implements MigrationEvent {}

  /** An operator (or the timeout action) asks to abort. */
  record AbortRequested(String reason) implements MigrationEvent {}

  /** Something broke: QEMU, the destination, the network. */
  record Fault(MigrationProblem problem) implements MigrationEvent {
    public Fault {
      Objects.requireNonNull(problem, "problem");
    }

    public String cause() {
      return problem.message();
    }
  }

  /** The rollback finished: the VM runs on the source and the destination holds nothing. */
  record RolledBack() implements MigrationEvent {}
}
