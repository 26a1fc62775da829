package dev.ferry.migration;

import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Turns raw samples of QEMU's counters into {@link Progress} that never runs backwards within a
 * phase: the bytes remaining in a pass may grow when the guest dirties memory, so the percentage is
 * the best seen so far. Owned by the migration's thread; not thread-safe.
 */
public final class ProgressTracker {
  private MigrationPhase phase;
  private double bestPercent;
  private ByteSize bestTransferred = ByteSize.ZERO;
  private Progress last;

  public ProgressTracker(Progress initial) {
    this.phase = initial.phase();
    this.last = initial;
  }

  /**
   * A raw sample.
   *
   * @param transferred bytes sent so far
   * @param remaining bytes left in this pass
   * @param total RAM size
   */
  public Progress sample(
      Instant at,
      MigrationPhase now,
      long pass,
      ByteSize transferred,
      ByteSize remaining,
      ByteSize total,
      DataRate dirtyRate,
      DataRate throughput,
      Duration downtimeTarget,
      Optional<Duration> expectedDowntime,
      int throttle,
      List<Progress.DiskProgress> disks) {
    if (now != phase) {
      phase = now;
      bestPercent = 0;
      bestTransferred = ByteSize.ZERO;
    }
    if (transferred.compareTo(bestTransferred) > 0) {
      bestTransferred = transferred;
    }
    double sent = bestTransferred.bytes();
    double raw = sent + remaining.bytes() == 0 ? 0 : 100.0 * sent / (sent + remaining.bytes());
    bestPercent = Math.max(bestPercent, Math.min(100, raw));
    Optional<Duration> eta = Optional.empty();
    long net = throughput.bytesPerSecond() - dirtyRate.bytesPerSecond();
    if (net > 0) {
      eta = Optional.of(Duration.ofMillis(remaining.bytes() * 1000 / net));
    }
    last =
        new Progress(
            at,
            now,
            pass,
            bestTransferred,
            remaining,
            total,
            dirtyRate,
            throughput,
            downtimeTarget,
            expectedDowntime,
            throttle,
            Math.round(bestPercent * 10) / 10.0,
            eta,
            disks);
    return last;
  }

  /** Moves to a new phase with no new counters (e.g. switchover), keeping the last figures. */
  public Progress enter(Instant at, MigrationPhase now) {
    if (now != phase) {
      phase = now;
      bestPercent = 0;
      bestTransferred = last.transferred();
    }
    last =
        new Progress(
            at,
            now,
            last.pass(),
            last.transferred(),
            last.remaining(),
            last.total(),
            last.dirtyRate(),
            last.throughput(),
            last.downtimeTarget(),
            last.expectedDowntime(),
            last.throttlePercent(),
            now == MigrationPhase.HANDOVER || now == MigrationPhase.CLEANUP ? 100 : 0,
            Optional.empty(),
            last.disks());
    return last;
  }

  public Progress last() {
    return last;
  }
}
