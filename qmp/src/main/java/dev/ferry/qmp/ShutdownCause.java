package dev.ferry.qmp;

/** Why QEMU shut down or reset the guest (SHUTDOWN and RESET events; QEMU 7.2's set). */
public enum ShutdownCause {
  NONE,
  HOST_ERROR,
  HOST_QMP_QUIT,
  HOST_QMP_SYSTEM_RESET,
  HOST_SIGNAL,
  HOST_UI,
  GUEST_SHUTDOWN,
  GUEST_RESET,
  GUEST_PANIC,
  SUBSYSTEM_RESET,
  SNAPSHOT_LOAD
}
