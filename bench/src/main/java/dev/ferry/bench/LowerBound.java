package dev.ferry.bench;

import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The least time any peer could migrate a scenario's guest in on this testbed: the bytes that have
 * to reach the destination (guest RAM and the data on the disk to copy) at the bandwidth the link
 * between the hosts was measured to carry. A peer's total time divided by it says how far from
 * moving just the data at link speed the peer is (1.0 would be perfect).
 *
 * <p>Two approximations, in opposite directions: RAM counts at its full size, although every peer
 * sends a zero page as a few bytes (the idle test guest has ~100 MiB of non-zero memory), which
 * raises the bound by at most the zero part of RAM over the link; and the guest's disk writes
 * during the migration, which have to move too, are not counted, which lowers it.
 *
 * @param bytes what has to move: guest RAM plus the disk's data
 * @param link the measured bandwidth between the hosts
 */
public record LowerBound(ByteSize bytes, DataRate link) {
  public LowerBound {
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(link, "link");
    if (link.bytesPerSecond() <= 0) {
      throw new IllegalArgumentException("the link bandwidth must be positive: " + link);
    }
  }

  /** The bound for {@code scenario}: its RAM plus {@code diskData} at {@code link}. */
  public static LowerBound of(Scenario scenario, ByteSize diskData, DataRate link) {
    return new LowerBound(scenario.memory().plus(diskData), link);
  }

  /** {@code bytes / link}. */
  public Duration time() {
    return link.timeFor(bytes);
  }

  /** How many times the bound {@code total} is; empty for no total or a zero bound. */
  public Optional<Double> ratio(Optional<Duration> total) {
    long bound = time().toNanos();
    if (total.isEmpty() || bound <= 0) {
      return Optional.empty();
    }
    return Optional.of(total.get().toNanos() / (double) bound);
  }
}
