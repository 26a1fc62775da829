package dev.ferry.qmp;

/**
 * A job's life-cycle state. A mirror goes created → running → ready (source and target in sync) →
 * waiting → pending → concluded → null (dismissed); with auto-finalize or auto-dismiss off it stops
 * in pending or concluded until {@code job-finalize} or {@code job-dismiss}.
 */
public enum JobStatus {
  UNDEFINED,
  CREATED,
  RUNNING,
  PAUSED,
  READY,
  STANDBY,
  WAITING,
  PENDING,
  ABORTING,
  CONCLUDED,
  /** The job is gone. */
  NULL
}
