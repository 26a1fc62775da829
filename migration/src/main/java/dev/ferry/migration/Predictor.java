package dev.ferry.migration;

import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import java.time.Duration;
import java.util.Locale;

/**
 * The pre-copy model (pure). Pass 1 sends all of RAM — untouched pages cost little, hence the
 * separate first-pass rate learned from earlier migrations — and each later pass sends what the
 * guest dirtied during the previous one. With r = dirty rate / bandwidth, pass k sends about {@code
 * r^(k-1)} of the first pass's working set; it converges when a pass fits the downtime target. The
 * user-visible downtime adds device state, resume and network announcement, also learned (under TCG
 * the guest needs extra time to re-translate code on the new host).
 */
public final class Predictor {
  private static final int MAX_PASSES = 30;
  private static final Duration SETUP = Duration.ofMillis(150);

  /**
   * Learned or default per-host figures.
   *
   * @param firstPassRate how fast pass 1 walks RAM (mostly zero pages for a fresh guest)
   * @param streamRate how fast QEMU sends dirty pages when the link is not the limit
   * @param resumeOverhead user-visible pause beyond QEMU's own downtime figure
   * @param fixedCost time outside the copy: checks, measuring, starting the destination QEMU,
   *     handover and cleanup
   */
  public record Estimates(
      DataRate firstPassRate, DataRate streamRate, Duration resumeOverhead, Duration fixedCost) {
    /** Figures measured on TCG testbeds; replaced by what the agent observes. */
    public static Estimates defaults() {
      return new Estimates(
          DataRate.ofMebibytesPerSecond(900),
          DataRate.ofMebibytesPerSecond(180),
          Duration.ofMillis(100),
          Duration.ofMillis(2500));
    }
  }

  private Predictor() {}

  /**
   * @param memory guest RAM
   * @param dirtyRate measured dirty rate
   * @param link measured link bandwidth (or the cap, whichever is lower)
   * @param downtimeTarget the downtime target pre-copy aims for
   * @param budget the migration's time budget (the outcome when it does not converge)
   */
  public static Prediction predict(
      ByteSize memory,
      DataRate dirtyRate,
      DataRate link,
      Duration downtimeTarget,
      Duration budget,
      Estimates est) {
    return predict(memory, ByteSize.ZERO, dirtyRate, link, downtimeTarget, budget, est);
  }

  /**
   * As {@link #predict(ByteSize, DataRate, DataRate, Duration, Duration, Estimates)}, with {@code
   * diskBytes} of disk data to mirror before the memory copy starts (storage migration).
   */
  public static Prediction predict(
      ByteSize memory,
      ByteSize diskBytes,
      DataRate dirtyRate,
      DataRate link,
      Duration downtimeTarget,
      Duration budget,
      Estimates est) {
    DataRate stream = min(link, est.streamRate());
    DataRate firstPass = min(link, est.firstPassRate());
    double b = Math.max(1, stream.bytesPerSecond());
    double d = dirtyRate.bytesPerSecond();
    double t1 = memory.bytes() / (double) Math.max(1, firstPass.bytesPerSecond());
    double threshold = b * downtimeTarget.toNanos() / 1e9;
    double mirror =
        diskBytes.bytes() / (double) Math.max(1, min(link, est.streamRate()).bytesPerSecond());
    double total = (SETUP.toNanos() + est.fixedCost().toNanos()) / 1e9 + mirror + t1;
    double pending = d * t1;
    int passes = 1;
    boolean converges = d < b;
    while (converges && pending > threshold && passes < MAX_PASSES) {
      double t = pending / b;
      total += t;
      pending = d * t;
      passes++;
    }
    converges = converges && pending <= threshold;
    double finalSend = Math.min(pending, threshold) / b;
    Duration downtime = Duration.ofNanos(Math.round(finalSend * 1e9)).plus(est.resumeOverhead());
    Duration duration =
        converges ? Duration.ofNanos(Math.round((total + finalSend) * 1e9)) : budget;
    String summary =
        converges
            ? String.format(
                Locale.ROOT,
                "converges in about %d pass(es), %.1f s, pause about %d ms (dirty %s vs stream %s)",
                passes,
                duration.toMillis() / 1000.0,
                downtime.toMillis(),
                dirtyRate,
                stream)
            : String.format(
                Locale.ROOT,
                "will not converge by pre-copy alone: dirty %s vs stream %s; the policy throttles,"
                    + " raises the downtime target and applies the timeout action within %d s",
                dirtyRate,
                stream,
                budget.toSeconds());
    return new Prediction(
        memory, dirtyRate, stream, converges, duration, downtime, passes, summary);
  }

  /** A time budget for a migration predicted to take {@code expected}: generous but bounded. */
  public static Duration budgetFor(Duration expected) {
    Duration fourTimes = expected.multipliedBy(4);
    Duration floor = Duration.ofSeconds(60);
    Duration ceiling = Duration.ofMinutes(30);
    if (fourTimes.compareTo(floor) < 0) {
      return floor;
    }
    return fourTimes.compareTo(ceiling) > 0 ? ceiling : fourTimes;
  }

  private static DataRate min(DataRate a, DataRate b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
