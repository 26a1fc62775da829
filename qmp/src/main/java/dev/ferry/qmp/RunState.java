package dev.ferry.qmp;

/** QEMU's run state, as reported by {@code query-status} (QEMU 7.2's set). */
public enum RunState {
  DEBUG,
  /** Waiting for an incoming migration ({@code -incoming}). */
  INMIGRATE,
  INTERNAL_ERROR,
  IO_ERROR,
  PAUSED,
  /** The VM was migrated away; it must not be resumed here. */
  POSTMIGRATE,
  /** Started with {@code -S} and not yet resumed. */
  PRELAUNCH,
  FINISH_MIGRATE,
  RESTORE_VM,
  RUNNING,
  SAVE_VM,
  SHUTDOWN,
  SUSPENDED,
  WATCHDOG,
  GUEST_PANICKED,
  COLO
}
