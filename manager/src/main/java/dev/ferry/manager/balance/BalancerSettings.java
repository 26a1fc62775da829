package dev.ferry.manager.balance;

import java.time.Duration;

/**
 * How the balancer behaves: whether it runs, how eager it is, and how often a VM may move.
 *
 * @param mode OFF: propose nothing; MANUAL: propose, an operator applies; AUTOMATIC: propose, the
 *     manager applies. The balancer itself computes the same plan for MANUAL and AUTOMATIC
 * @param aggressiveness 1 (conservative: only large gains) to 5 (aggressive: even small gains); see
 *     {@link #minimumNetBenefit()}
 * @param noRepeatWindow a VM that moved within this window is not moved again, and no VM is moved
 *     back along a path (to → from) another VM took within it
 * @param maxMovesPerPass most VM migrations one plan may hold, rule fixes included
 * @param linkBytesPerSecond the migration link rate assumed when estimating how long a move takes
 */
public record BalancerSettings(
    Mode mode,
    int aggressiveness,
    Duration noRepeatWindow,
    int maxMovesPerPass,
    long linkBytesPerSecond) {

  /** Whether the balancer proposes moves and who applies them. */
  public enum Mode {
    /** Nothing is proposed. */
    OFF,
    /** Moves are proposed for an operator to apply. */
    MANUAL,
    /** Moves are proposed and applied by the manager. */
    AUTOMATIC
  }

  /** Default assumed migration link rate: 1 GiB/s (about a 10 Gbit/s link). */
  public static final long DEFAULT_LINK_BYTES_PER_SECOND = 1L << 30;

  /**
   * Net benefit (benefit − cost, in the units of {@link Recommendation#benefit()}) a balancing move
   * must reach, by aggressiveness 1..5.
   */
  private static final double[] MINIMUM_NET_BENEFIT = {0.06, 0.025, 0.01, 0.004, 0.001};

  public BalancerSettings {
    if (mode == null) {
      throw new IllegalArgumentException("mode must be OFF, MANUAL or AUTOMATIC, got null");
    }
    if (aggressiveness < 1 || aggressiveness > 5) {
      throw new IllegalArgumentException(
          "aggressiveness must be 1 (conservative) to 5 (aggressive), got " + aggressiveness);
    }
    if (noRepeatWindow == null || noRepeatWindow.isNegative()) {
      throw new IllegalArgumentException(
          "noRepeatWindow must be zero or more, got " + noRepeatWindow);
    }
    if (maxMovesPerPass < 1) {
      throw new IllegalArgumentException(
          "maxMovesPerPass must be at least 1, got " + maxMovesPerPass);
    }
    if (linkBytesPerSecond <= 0) {
      throw new IllegalArgumentException(
          "linkBytesPerSecond must be positive, got " + linkBytesPerSecond);
    }
  }

  /** Settings with the default link rate of 1 GiB/s. */
  public BalancerSettings(
      Mode mode, int aggressiveness, Duration noRepeatWindow, int maxMovesPerPass) {
    this(mode, aggressiveness, noRepeatWindow, maxMovesPerPass, DEFAULT_LINK_BYTES_PER_SECOND);
  }

  /** MANUAL, aggressiveness 3, a one-hour no-repeat window, 16 moves per pass, 1 GiB/s. */
  public static BalancerSettings defaults() {
    return new BalancerSettings(Mode.MANUAL, 3, Duration.ofHours(1), 16);
  }

  public BalancerSettings withMode(Mode newMode) {
    return new BalancerSettings(
        newMode, aggressiveness, noRepeatWindow, maxMovesPerPass, linkBytesPerSecond);
  }

  public BalancerSettings withAggressiveness(int newAggressiveness) {
    return new BalancerSettings(
        mode, newAggressiveness, noRepeatWindow, maxMovesPerPass, linkBytesPerSecond);
  }

  public BalancerSettings withNoRepeatWindow(Duration newWindow) {
    return new BalancerSettings(
        mode, aggressiveness, newWindow, maxMovesPerPass, linkBytesPerSecond);
  }

  public BalancerSettings withMaxMovesPerPass(int newMax) {
    return new BalancerSettings(mode, aggressiveness, noRepeatWindow, newMax, linkBytesPerSecond);
  }

  public BalancerSettings withLinkBytesPerSecond(long newRate) {
    return new BalancerSettings(mode, aggressiveness, noRepeatWindow, maxMovesPerPass, newRate);
  }

  /**
   * The least net benefit (benefit − cost) a balancing move needs: 0.06 at aggressiveness 1, then
   * 0.025, 0.01, 0.004, and 0.001 at 5. For scale: moving a VM holding 5 % of a host from a host at
   * 90 % to one at 40 % gains about 0.045; between hosts at 55 % and 45 % about 0.005. Rule fixes
   * ignore the threshold.
   */
  public double minimumNetBenefit() {
    return MINIMUM_NET_BENEFIT[aggressiveness - 1];
  }
}
