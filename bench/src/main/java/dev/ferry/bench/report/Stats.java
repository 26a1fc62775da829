package dev.ferry.bench.report;

import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;

/** Medians: what the tables report, since one noisy run should not move a figure. */
public final class Stats {
  private Stats() {}

  /**
   * The median of {@code values}: the middle one, or the mean of the two middle ones for an even
   * count (rounded down); empty for no values.
   */
  public static Optional<Long> median(Collection<Long> values) {
    if (values.isEmpty()) {
      return Optional.empty();
    }
    long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
    int mid = sorted.length / 2;
    if (sorted.length % 2 == 1) {
      return Optional.of(sorted[mid]);
    }
    // Halve before adding: no overflow for large values.
    long a = sorted[mid - 1];
    long b = sorted[mid];
    return Optional.of(a / 2 + b / 2 + (a % 2 + b % 2) / 2);
  }

  /** The median duration, to the nanosecond. */
  public static Optional<Duration> medianDuration(Collection<Duration> values) {
    return median(values.stream().map(Duration::toNanos).toList()).map(Duration::ofNanos);
  }

  /** The median size, to the byte. */
  public static Optional<ByteSize> medianSize(Collection<ByteSize> values) {
    return median(values.stream().map(ByteSize::bytes).toList()).map(ByteSize::ofBytes);
  }

  /** The median rate, to the byte per second. */
  public static Optional<DataRate> medianRate(Collection<DataRate> values) {
    return median(values.stream().map(DataRate::bytesPerSecond).toList())
        .map(DataRate::ofBytesPerSecond);
  }
}
