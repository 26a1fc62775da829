package dev.ferry.migration;

import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Decides, sample by sample during pre-copy, how to reach an end state within the time budget:
 *
 * <ol>
 *   <li>start with a low downtime target and double it each time two more passes go by without
 *       converging, up to the maximum;
 *   <li>at the maximum, if the request allows post-copy, switch to it;
 *   <li>at the end of the budget apply the timeout action: {@code abort} cancels; {@code force}
 *       switches to post-copy if allowed, else raises the downtime limit so the rest is sent in one
 *       stop-and-copy, and aborts if even that has not finished after a grace period.
 * </ol>
 *
 * Pure apart from its own memory of past decisions; time comes from the caller. Owned by the
 * migration's thread.
 */
public final class ConvergencePolicy {
  private static final int PASSES_PER_STEP = 2;
  private static final Duration MIN_FORCE_GRACE = Duration.ofSeconds(10);
  private static final Duration MAX_FORCED_DOWNTIME = Duration.ofSeconds(10);

  private final MigrationSettings settings;
  private final Instant start;
  private final Duration budget;
  private Duration target;
  private long passAtLastStep = 1;

  /** How long a requested switch to post-copy may take before a stop-and-copy is forced. */
  private static final Duration POSTCOPY_GRACE = Duration.ofSeconds(5);

  private boolean postcopyRequested;
  private Instant postcopyRequestedAt;
  private Instant forcedAt;
  private Duration forceGrace;
  private boolean forceRaised;

  public ConvergencePolicy(MigrationSettings settings, Instant start, Duration budget) {
    this.settings = settings;
    this.start = start;
    this.budget = budget;
    this.target = settings.initialDowntime();
  }

  public Duration downtimeTarget() {
    return target;
  }

  public Duration budget() {
    return budget;
  }

  public boolean forced() {
    return forcedAt != null;
  }

  /**
   * One sample of the running pre-copy.
   *
   * @param pass QEMU's dirty-sync count
   * @param remaining bytes left in this pass
   * @param throughput current stream rate
   * @param expectedDowntime QEMU's estimate of the pause if it switched now
   */
  public PolicyDecision onSample(
      Instant now,
      long pass,
      ByteSize remaining,
      DataRate throughput,
      DataRate dirtyRate,
      Duration expectedDowntime,
      boolean inPostcopy) {
    if (inPostcopy) {
      return new PolicyDecision.Continue();
    }
    Duration elapsed = Duration.between(start, now);
    if (forcedAt != null) {
      Duration since = Duration.between(forcedAt, now);
      // QEMU switches only once its own estimate of the pause is under the limit, and its
      // bandwidth estimate can lag far behind (a throttled guest, a busy host): halfway through
      // the grace, the limit is raised once to the most a forced switchover may pause.
      if (!forceRaised
          && since.compareTo(forceGrace.dividedBy(2)) > 0
          && target.compareTo(MAX_FORCED_DOWNTIME) < 0) {
        forceRaised = true;
        Duration raised = target.multipliedBy(4);
        target = raised.compareTo(MAX_FORCED_DOWNTIME) > 0 ? MAX_FORCED_DOWNTIME : raised;
        return new PolicyDecision.SetDowntimeLimit(
            target,
            String.format(
                Locale.ROOT,
                "the forced switchover has not happened after %d s: downtime limit raised to %d ms",
                since.toSeconds(),
                target.toMillis()));
      }
      if (since.compareTo(forceGrace) > 0) {
        return new PolicyDecision.Abort(
            String.format(
                Locale.ROOT,
                "time budget of %d s exhausted and a forced switchover did not finish within %d s",
                budget.toSeconds(),
                forceGrace.toSeconds()));
      }
      return new PolicyDecision.Continue();
    }
    if (elapsed.compareTo(budget) >= 0) {
      return onBudgetExhausted(now, remaining, throughput, dirtyRate);
    }
    // Post-copy allowed and the guest dirties faster than the stream: pre-copy cannot converge,
    // and every further pass only costs time. Once the first pass has sent all of the memory
    // (so post-copy has only what the guest dirtied since to fetch on demand), switch.
    if (settings.allowPostcopy()
        && !postcopyRequested
        && pass >= 2
        && throughput.bytesPerSecond() > 0
        && dirtyRate.bytesPerSecond() > throughput.bytesPerSecond()) {
      postcopyRequested = true;
      postcopyRequestedAt = now;
      return new PolicyDecision.StartPostcopy(
          String.format(
              Locale.ROOT,
              "pass %d: the guest dirties faster than the stream (dirty %s vs %s): post-copy now"
                  + " rather than at the end of the budget",
              pass,
              dirtyRate,
              throughput));
    }
    boolean converging = expectedDowntime.compareTo(target) <= 0;
    if (!converging && pass >= passAtLastStep + PASSES_PER_STEP) {
      passAtLastStep = pass;
      if (target.compareTo(settings.maxDowntime()) < 0) {
        Duration raised = target.multipliedBy(2);
        target = raised.compareTo(settings.maxDowntime()) > 0 ? settings.maxDowntime() : raised;
        return new PolicyDecision.SetDowntimeLimit(
            target,
            String.format(
                Locale.ROOT,
                "pass %d did not converge (expected pause %d ms): downtime target raised to %d ms",
                pass,
                expectedDowntime.toMillis(),
                target.toMillis()));
      }
      if (settings.allowPostcopy() && !postcopyRequested) {
        postcopyRequested = true;
        postcopyRequestedAt = now;
        return new PolicyDecision.StartPostcopy(
            String.format(
                Locale.ROOT,
                "no convergence at the maximum downtime target of %d ms (dirty %s vs %s)",
                target.toMillis(),
                dirtyRate,
                throughput));
      }
    }
    return new PolicyDecision.Continue();
  }

  private PolicyDecision onBudgetExhausted(
      Instant now, ByteSize remaining, DataRate throughput, DataRate dirtyRate) {
    String why =
        String.format(
            Locale.ROOT,
            "time budget of %d s exhausted (dirty %s vs stream %s, %s left)",
            budget.toSeconds(),
            dirtyRate,
            throughput,
            remaining);
    if (settings.timeoutAction() == TimeoutAction.ABORT) {
      return new PolicyDecision.Abort(why);
    }
    if (settings.allowPostcopy() && !postcopyRequested) {
      postcopyRequested = true;
      postcopyRequestedAt = now;
      return new PolicyDecision.StartPostcopy(why + "; forcing: post-copy");
    }
    if (postcopyRequested
        && Duration.between(postcopyRequestedAt, now).compareTo(POSTCOPY_GRACE) < 0) {
      // QEMU switches at the end of its current iteration: a forced stop-and-copy now would
      // overtake the switch and pause the guest for the whole remainder.
      return new PolicyDecision.Continue();
    }
    DataRate rate =
        throughput.bytesPerSecond() > 0 ? throughput : DataRate.ofMebibytesPerSecond(50);
    // Generous: the guest keeps dirtying while QEMU decides, and QEMU's own bandwidth
    // estimate lags the real one.
    Duration stopAndCopy = rate.timeFor(remaining).multipliedBy(3);
    Duration forced =
        stopAndCopy.compareTo(MAX_FORCED_DOWNTIME) > 0
            ? MAX_FORCED_DOWNTIME
            : stopAndCopy.compareTo(target) < 0 ? target : stopAndCopy;
    forcedAt = now;
    forceGrace =
        forced.multipliedBy(3).compareTo(MIN_FORCE_GRACE) < 0
            ? MIN_FORCE_GRACE
            : forced.multipliedBy(3);
    target = forced;
    return new PolicyDecision.SetDowntimeLimit(
        forced,
        why + "; forcing: stop-and-copy with a downtime limit of " + forced.toMillis() + " ms");
  }
}
