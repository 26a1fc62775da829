package dev.ferry.qmp;

/**
 * The state of QEMU's migration, from {@code query-migrate} and the MIGRATION event (QEMU 7.2's
 * set, and {@code postcopy-recover-setup} of 9.1+). {@code migrate-continue} takes the state to
 * leave.
 */
public enum MigrationStatus {
  /** No migration has run; {@code query-migrate} then returns an empty object. */
  NONE,
  SETUP,
  CANCELLING,
  CANCELLED,
  ACTIVE,
  POSTCOPY_ACTIVE,
  POSTCOPY_PAUSED,
  POSTCOPY_RECOVER,
  /** QEMU 9.1+: a paused post-copy whose recovery channel is being set up. */
  POSTCOPY_RECOVER_SETUP,
  COMPLETED,
  FAILED,
  COLO,
  /** Paused before the switchover ({@code pause-before-switchover}); awaits migrate-continue. */
  PRE_SWITCHOVER,
  /** Migrating device state after RAM, with the guest stopped. */
  DEVICE,
  WAIT_UNPLUG;

  /** True while the migration is in post-copy (running, paused by a broken link, recovering). */
  public boolean isPostcopy() {
    return this == POSTCOPY_ACTIVE
        || this == POSTCOPY_PAUSED
        || this == POSTCOPY_RECOVER
        || this == POSTCOPY_RECOVER_SETUP;
  }

  /** True for states after which QEMU will not change the status on its own. */
  public boolean isFinal() {
    return this == COMPLETED || this == FAILED || this == CANCELLED;
  }
}
