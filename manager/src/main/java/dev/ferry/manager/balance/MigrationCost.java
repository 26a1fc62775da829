package dev.ferry.manager.balance;

/**
 * Estimates how long a live migration takes and what that costs in imbalance units.
 *
 * <p>Pre-copy sends the memory once and then whatever the guest dirtied meanwhile, again and again;
 * with memory M, dirty rate D and link rate L that sums to M / (L − D). A guest dirtying as fast as
 * the link sends never converges without throttling: its time is infinite, and the balancer never
 * proposes it (evacuation still does, saying so).
 *
 * <p>One second of migration costs {@link #COST_PER_SECOND} imbalance units: a 4 GiB guest at 1
 * GiB/s costs 0.002, less than a good move gains (about 0.02 to 0.1) but enough to prefer small,
 * quiet guests when the gain is equal.
 */
final class MigrationCost {

  /** Imbalance units one second of migration costs. */
  static final double COST_PER_SECOND = 0.0005;

  private MigrationCost() {}

  /** Estimated seconds to live-migrate, or positive infinity when it may never converge. */
  static double seconds(long memoryBytes, long dirtyBytesPerSecond, long linkBytesPerSecond) {
    if (dirtyBytesPerSecond >= linkBytesPerSecond) {
      return Double.POSITIVE_INFINITY;
    }
    return memoryBytes / (double) (linkBytesPerSecond - dirtyBytesPerSecond);
  }

  /** The cost, in imbalance units, of migrations taking this many seconds in all. */
  static double cost(double seconds) {
    return seconds * COST_PER_SECOND;
  }
}
