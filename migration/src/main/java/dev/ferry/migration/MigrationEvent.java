package dev.ferry.migration;

/** What can happen to a migration; input of {@link MigrationStateMachine#next}. */
public sealed interface MigrationEvent {
  record PreflightPassed() implements MigrationEvent {}

  /**
   * The destination waits for the stream at {@code uri}; with {@code mirrorDisks} the disks it
   * cannot see are copied first.
   */
  record DestinationPrepared(String uri, boolean mirrorDisks) implements MigrationEvent {
    public DestinationPrepared(String uri) {
      this(uri, false);
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
  record Fault(String cause) implements MigrationEvent {}

  /** The rollback finished: the VM runs on the source and the destination holds nothing. */
  record RolledBack() implements MigrationEvent {}
}
