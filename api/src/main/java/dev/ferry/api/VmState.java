package dev.ferry.api;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** A VM's state as the agent sees it on its host. */
public enum VmState {
  /** Defined, no QEMU process. */
  STOPPED,
  /** QEMU is being launched or the guest not yet resumed. */
  STARTING,
  /** vCPUs running. */
  RUNNING,
  /** vCPUs stopped on request; QEMU alive. */
  PAUSED,
  /** A stop is under way. */
  STOPPING,
  /** QEMU went away without being asked to. */
  CRASHED,
  /** The destination side of a migration: QEMU receives the guest, which does not run here yet. */
  INCOMING;

  @JsonValue
  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean hasProcess() {
    return this == STARTING
        || this == RUNNING
        || this == PAUSED
        || this == STOPPING
        || this == INCOMING;
  }
}
