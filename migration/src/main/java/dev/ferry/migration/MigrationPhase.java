package dev.ferry.migration;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The phases of one live migration, in the order they happen. */
public enum MigrationPhase {
  /** Checks on both hosts; dirty rate and bandwidth measured; prediction made. Nothing touched. */
  PREFLIGHT,
  /** Destination QEMU started from the same definition with {@code -incoming defer}. */
  PREPARE,
  /** Non-shared disks mirrored to the destination (storage migration). */
  DISK_MIRROR,
  /** Memory copied while the guest runs, changes re-sent pass after pass. */
  PRECOPY,
  /** Guest paused on the source; last memory and device state sent. */
  SWITCHOVER,
  /** Ownership moves to the destination (epoch + 1); the destination resumes the guest. */
  HANDOVER,
  /** Source QEMU and its host resources released. */
  CLEANUP;

  @JsonValue
  public String text() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Before handover, a migration can still be rolled back to the source. */
  public boolean beforeHandover() {
    return ordinal() < HANDOVER.ordinal();
  }
}
