package dev.ferry.qmp;

import com.fasterxml.jackson.annotation.JsonCreator;
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
   * Transfer counters. QEMU 7.2 sends every one of them; later versions drop some ({@code skipped}
   * went in 9.1) and may send {@code null}: only {@code transferred}, {@code remaining} and {@code
   * total} are required, any other counter QEMU leaves out or sends as null reads as zero. Page
   * counts are plain numbers; sizes and rates are typed.
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
      normalBytes = orZero(normalBytes);
      throughput = throughput == null ? DataRate.ZERO : throughput;
      pageSize = orZero(pageSize);
      multifdBytes = orZero(multifdBytes);
      precopyBytes = orZero(precopyBytes);
      downtimeBytes = orZero(downtimeBytes);
      postcopyBytes = orZero(postcopyBytes);
    }

    /** Reads QEMU's reply: the three sizes required, every other member optional or null. */
    @JsonCreator
    static Stats decode(
        @JsonProperty(value = "transferred", required = true) ByteSize transferred,
        @JsonProperty(value = "remaining", required = true) ByteSize remaining,
        @JsonProperty(value = "total", required = true) ByteSize total,
        @JsonProperty("duplicate") Long duplicate,
        @JsonProperty("skipped") Long skipped,
        @JsonProperty("normal") Long normal,
        @JsonProperty("normal-bytes") ByteSize normalBytes,
        @JsonProperty("dirty-pages-rate") Long dirtyPagesRate,
        @JsonProperty("mbps") @JsonDeserialize(using = QmpUnits.MegabitsPerSecond.class)
            DataRate throughput,
        @JsonProperty("dirty-sync-count") Long dirtySyncCount,
        @JsonProperty("postcopy-requests") Long postcopyRequests,
        @JsonProperty("page-size") ByteSize pageSize,
        @JsonProperty("multifd-bytes") ByteSize multifdBytes,
        @JsonProperty("pages-per-second") Long pagesPerSecond,
        @JsonProperty("precopy-bytes") ByteSize precopyBytes,
        @JsonProperty("downtime-bytes") ByteSize downtimeBytes,
        @JsonProperty("postcopy-bytes") ByteSize postcopyBytes) {
      return new Stats(
          transferred,
          remaining,
          total,
          orZero(duplicate),
          orZero(skipped),
          orZero(normal),
          normalBytes,
          orZero(dirtyPagesRate),
          throughput,
          orZero(dirtySyncCount),
          orZero(postcopyRequests),
          pageSize,
          multifdBytes,
          orZero(pagesPerSecond),
          precopyBytes,
          downtimeBytes,
          postcopyBytes);
    }

    private static long orZero(Long n) {
      return n == null ? 0 : n;
    }

    private static ByteSize orZero(ByteSize b) {
      return b == null ? ByteSize.ZERO : b;
    }
  }
}
