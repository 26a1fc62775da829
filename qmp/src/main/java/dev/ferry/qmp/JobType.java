package dev.ferry.qmp;

/** The kind of a block job (QEMU 7.2's set); Ferry runs {@link #MIRROR} jobs. */
public enum JobType {
  COMMIT,
  STREAM,
  MIRROR,
  BACKUP,
  CREATE,
  AMEND,
  SNAPSHOT_LOAD,
  SNAPSHOT_SAVE,
  SNAPSHOT_DELETE
}
