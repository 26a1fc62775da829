package dev.ferry.qemu;

import java.time.Duration;

/**
 * The QEMU behaviours Ferry works around, decided in one place.
 *
 * <p>TCG dirty tracking before QEMU 9.0: when guest RAM is one contiguous, granule-aligned block,
 * QEMU's bulk dirty-bitmap sync does not reset the TLB and the destination gets stale pages. Ferry
 * pads guest RAM by one 8 KiB granule on such QEMUs ({@link QemuCommandLine#memoryArgument}), which
 * makes them take the per-page sync path. That path runs inside the final pause and costs several
 * times what QEMU's downtime model counts (it only counts sending), so the downtime limit handed to
 * QEMU is scaled down by {@link #PADDED_SYNC_FACTOR} and QEMU's expected downtime scaled up by it.
 */
public final class QemuQuirks {
  /** QEMU's major version that fixed TCG dirty tracking ("physmem: fix TCG dirty tracking"). */
  static final int TCG_DIRTY_TRACKING_FIXED_IN = 9;

  /** How much longer the padded per-page sync makes the pause than QEMU's model says. */
  public static final int PADDED_SYNC_FACTOR = 32;

  private QemuQuirks() {}

  /** Whether guests on this QEMU generation and accelerator run with the RAM pad. */
  public static boolean tcgRamPad(Accelerator accelerator, int qemuMajor) {
    return accelerator == Accelerator.TCG && qemuMajor < TCG_DIRTY_TRACKING_FIXED_IN;
  }

  /** The same, from a version string such as {@code 7.2.19}. */
  public static boolean tcgRamPad(Accelerator accelerator, String qemuVersion) {
    return tcgRamPad(accelerator, majorOf(qemuVersion));
  }

  /** The downtime limit to hand QEMU for a user's pause of {@code target}. */
  public static Duration downtimeLimitFor(Duration target, boolean padded) {
    if (!padded) {
      return target;
    }
    Duration scaled = target.dividedBy(PADDED_SYNC_FACTOR);
    return scaled.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : scaled;
  }

  /** QEMU's expected downtime in the units of the user's pause. */
  public static Duration userPauseFor(Duration qemuExpected, boolean padded) {
    return padded ? qemuExpected.multipliedBy(PADDED_SYNC_FACTOR) : qemuExpected;
  }

  /** The major version of a QEMU version string; refuses what is not one. */
  public static int majorOf(String qemuVersion) {
    String major = qemuVersion.strip().split("\\.", 2)[0];
    if (!major.matches("\\d{1,4}")) {
      throw new IllegalArgumentException("not a QEMU version: '" + qemuVersion + "'");
    }
    return Integer.parseInt(major);
  }
}
