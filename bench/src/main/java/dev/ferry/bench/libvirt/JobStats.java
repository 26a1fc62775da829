package dev.ferry.bench.libvirt;

import dev.ferry.common.ByteSize;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The statistics of a libvirt migration job, from {@code virsh domjobinfo --completed --rawstats}:
 * lines of {@code key: value} after a {@code Job type:} header.
 *
 * @param elapsed the job's duration ({@code time_elapsed})
 * @param downtime how long the guest was paused, as libvirt measures it ({@code downtime})
 * @param transferred bytes the migration stream carried ({@code data_processed})
 */
record JobStats(
    Optional<Duration> elapsed, Optional<Duration> downtime, Optional<ByteSize> transferred) {

  static final JobStats NONE = new JobStats(Optional.empty(), Optional.empty(), Optional.empty());

  /** The same figures without a downtime (a running job only has an estimate). */
  JobStats withoutDowntime() {
    return new JobStats(elapsed, Optional.empty(), transferred);
  }

  /** Reads what it can; absent or malformed members stay empty. */
  static JobStats parse(String rawStats) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String line : rawStats.lines().toList()) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        values.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
      }
    }
    return new JobStats(
        number(values, "time_elapsed").map(Duration::ofMillis),
        number(values, "downtime").map(Duration::ofMillis),
        number(values, "data_processed").map(ByteSize::ofBytes));
  }

  private static Optional<Long> number(Map<String, String> values, String key) {
    String v = values.get(key);
    if (v == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseLong(v));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
