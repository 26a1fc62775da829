package dev.ferry.migration;

import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A migration's progress as operators see it. Within one phase {@link #percent} and {@link
 * #transferred} never go backwards.
 *
 * @param at when it was sampled
 * @param phase current phase
 * @param pass pre-copy pass (QEMU's dirty-sync count), 0 before pre-copy
 * @param transferred bytes sent so far (memory; plus disks once storage moves)
 * @param remaining bytes still to send in the current pass
 * @param total guest RAM being migrated
 * @param dirtyRate how fast the guest dirties memory now
 * @param throughput how fast the stream moves now
 * @param downtimeTarget the downtime limit QEMU works to now
 * @param expectedDowntime QEMU's own estimate of the pause if it switched over now
 * @param throttlePercent vCPU throttle applied by auto-converge, 0 when none
 * @param percent 0..100, monotonic within a phase
 * @param eta expected time to the end of pre-copy, when it can be estimated
 * @param disks per-disk mirror progress (storage migration), empty otherwise
 */
public record Progress(
    Instant at,
    MigrationPhase phase,
    long pass,
    ByteSize transferred,
    ByteSize remaining,
    ByteSize total,
    DataRate dirtyRate,
    DataRate throughput,
    Duration downtimeTarget,
    Optional<Duration> expectedDowntime,
    int throttlePercent,
    double percent,
    Optional<Duration> eta,
    java.util.List<DiskProgress> disks) {

  public Progress {
    expectedDowntime = expectedDowntime == null ? Optional.empty() : expectedDowntime;
    eta = eta == null ? Optional.empty() : eta;
    disks = disks == null ? java.util.List.of() : java.util.List.copyOf(disks);
  }

  /** Progress at the start of a phase with nothing measured yet. */
  public static Progress start(Instant at, MigrationPhase phase, ByteSize total, Duration target) {
    return new Progress(
        at,
        phase,
        0,
        ByteSize.ZERO,
        total,
        total,
        DataRate.ZERO,
        DataRate.ZERO,
        target,
        Optional.empty(),
        0,
        0,
        Optional.empty(),
        java.util.List.of());
  }

  /**
   * One disk being mirrored.
   *
   * @param disk disk id ({@code disk0})
   * @param copied bytes copied
   * @param remaining bytes still to copy
   * @param writeRate how fast the guest writes to it now
   * @param ready the mirror has caught up and follows the guest's writes
   */
  public record DiskProgress(
      String disk, ByteSize copied, ByteSize remaining, DataRate writeRate, boolean ready) {}
}
