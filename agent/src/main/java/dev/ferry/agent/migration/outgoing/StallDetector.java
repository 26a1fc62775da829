package dev.ferry.agent.migration.outgoing;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Tells a copy that moves no bytes for {@code limit} from one that is merely slow: fed the bytes
 * copied so far at each sample, it answers how long nothing has moved once that exceeds the limit.
 * One per copy phase; used by its runner thread only.
 */
final class StallDetector {
  private final Duration limit;
  private long best = -1;
  private Instant lastMoved;

  StallDetector(Duration limit, Instant start) {
    this.limit = limit;
    this.lastMoved = start;
  }

  /** The time nothing moved, once over the limit; empty while bytes still move. */
  Optional<Duration> sample(long copiedBytes, Instant now) {
    if (copiedBytes > best) {
      best = copiedBytes;
      lastMoved = now;
      return Optional.empty();
    }
    Duration still = Duration.between(lastMoved, now);
    return still.compareTo(limit) > 0 ? Optional.of(still) : Optional.empty();
  }
}
