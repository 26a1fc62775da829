package dev.ferry.qmp;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Reply to {@code query-migrate}: the status of the current (or last) outgoing migration and its
 * progress. QEMU leaves out members that do not apply to the status, hence the Optionals.
 *
 * @param status {@link MigrationStatus#NONE} when no migration has run
 * @param ram RAM transfer progress, once the migration is active
 * @param disk block migration progress (the deprecated {@code blk} mode only)
 * @param totalTime time since the migration started (or its total, once finished)
 * @param expectedDowntime QEMU's estimate while active
 * @param downtime the real pause, once completed
 * @param setupTime time spent in the setup phase
 * @param cpuThrottlePercentage auto-converge's current throttle
 * @param errorDesc why it failed, when failed
 * @param blockedReasons why a migration cannot start now (e.g. a migration blocker)
 */
public record MigrationInfo(
    MigrationStatus status,
    Optional<Stats> ram,
    Optional<Stats> disk,
    Optional<Duration> totalTime,
    Optional<Duration> expectedDowntime,
    Optional<Duration> downtime,
    Optional<Duration> setupTime,
    Optional<Integer> cpuThrottlePercentage,
    Optional<String> errorDesc,
    List<String> blockedReasons) {

  public MigrationInfo {
    status = status == null ? MigrationStatus.NONE : status;
    ram = ram == null ? Optional.empty() : ram;
    disk = disk == null ? Optional.empty() : disk;
    totalTime = totalTime == null ? Optional.empty() : totalTime;
    expectedDowntime = expectedDowntime == null ? Optional.empty() : expectedDowntime;
    downtime = downtime == null ? Optional.empty() : downtime;
    setupTime = setupTime == null ? Optional.empty() : setupTime;
    cpuThrottlePercentage =
        cpuThrottlePercentage == null ? Optional.empty() : cpuThrottlePercentage;
    errorDesc = errorDesc == null ? Optional.empty() : errorDesc;
    blockedReasons = blockedReasons == null ? List.of() : List.copyOf(blockedReasons);
  }

  /**
   * Transfer counters; QEMU 7.2 always sends every one of them. Page counts are plain numbers;
   * sizes and rates are typed.
   *
   * @param duplicate pages sent as "all the same byte" (mostly zero pages)
   * @param normal pages sent in full
   * @param dirtyPagesRate pages dirtied per second, measured at the last sync
   * @param throughput QEMU's {@code mbps}: the current transfer rate
   * @param dirtySyncCount how many times the dirty bitmap was synced (iterations)
   * @param postcopyRequests pages the destination asked for during post-copy
   */
  public record Stats(
      ByteSize transferred,
      ByteSize remaining,
      ByteSize total,
      long duplicate,
      long skipped,
      long normal,
      ByteSize normalBytes,
      long dirtyPagesRate,
      @JsonProperty("mbps") @JsonDeserialize(using = QmpUnits.MegabitsPerSecond.class)
          DataRate throughput,
      long dirtySyncCount,
      long postcopyRequests,
      ByteSize pageSize,
      ByteSize multifdBytes,
      long pagesPerSecond,
      ByteSize precopyBytes,
      ByteSize downtimeBytes,
      ByteSize postcopyBytes) {

    public Stats {
      Objects.requireNonNull(transferred, "transferred");
      Objects.requireNonNull(remaining, "remaining");
      Objects.requireNonNull(total, "total");
      Objects.requireNonNull(normalBytes, "normalBytes");
      Objects.requireNonNull(throughput, "throughput");
      Objects.requireNonNull(pageSize, "pageSize");
      Objects.requireNonNull(multifdBytes, "multifdBytes");
      Objects.requireNonNull(precopyBytes, "precopyBytes");
      Objects.requireNonNull(downtimeBytes, "downtimeBytes");
      Objects.requireNonNull(postcopyBytes, "postcopyBytes");
    }
  }
}
