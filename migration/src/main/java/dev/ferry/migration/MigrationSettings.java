package dev.ferry.migration;

import dev.ferry.common.DataRate;
import java.time.Duration;
import java.util.Optional;

/**
 * How one migration may use the network and the guest's time.
 *
 * @param bandwidth cap on the migration stream; empty means what the link carries (Ferry measures
 *     it), never QEMU's low built-in default
 * @param initialDowntime the downtime target the migration starts with; a low target stepped up
 *     only when the migration does not converge gives the shortest pauses
 * @param maxDowntime the highest target stepping may reach
 * @param multifdChannels parallel streams; 1 uses QEMU's single stream
 * @param autoConverge let QEMU throttle the guest's vCPUs when it dirties memory too fast
 * @param allowPostcopy allow switching to post-copy (destination runs the guest and pulls missing
 *     pages); off unless asked for
 * @param timeout the migration's time budget; empty: derived from the prediction
 * @param timeoutAction what the budget's end does
 * @param copyStorage copy every disk, even those the destination sees (shared)
 * @param keepSource keep the source's copies of moved disks after the migration
 */
public record MigrationSettings(
    Optional<DataRate> bandwidth,
    Duration initialDowntime,
    Duration maxDowntime,
    int multifdChannels,
    boolean autoConverge,
    boolean allowPostcopy,
    Optional<Duration> timeout,
    TimeoutAction timeoutAction,
    boolean copyStorage,
    boolean keepSource) {

  public static final Duration DEFAULT_INITIAL_DOWNTIME = Duration.ofMillis(30);
  public static final Duration DEFAULT_MAX_DOWNTIME = Duration.ofMillis(500);
  private static final Duration MIN_DOWNTIME = Duration.ofMillis(1);
  private static final Duration MAX_DOWNTIME_LIMIT = Duration.ofSeconds(10);
  private static final Duration MIN_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration MAX_TIMEOUT = Duration.ofHours(6);
  private static final int MAX_CHANNELS = 16;

  public MigrationSettings {
    bandwidth = bandwidth == null ? Optional.empty() : bandwidth;
    timeout = timeout == null ? Optional.empty() : timeout;
    initialDowntime = initialDowntime == null ? DEFAULT_INITIAL_DOWNTIME : initialDowntime;
    maxDowntime = maxDowntime == null ? DEFAULT_MAX_DOWNTIME : maxDowntime;
    timeoutAction = timeoutAction == null ? TimeoutAction.ABORT : timeoutAction;
    if (multifdChannels == 0) {
      multifdChannels = 1;
    }
    bandwidth.ifPresent(
        b -> {
          if (b.bytesPerSecond() < 1 << 20) {
            throw new IllegalArgumentException("bandwidth " + b + " is below 1 MiB/s");
          }
        });
    if (initialDowntime.compareTo(MIN_DOWNTIME) < 0
        || maxDowntime.compareTo(MAX_DOWNTIME_LIMIT) > 0
        || initialDowntime.compareTo(maxDowntime) > 0) {
      throw new IllegalArgumentException(
          "downtime target "
              + initialDowntime.toMillis()
              + " ms .. "
              + maxDowntime.toMillis()
              + " ms is not within 1 ms .. 10 s (and initial <= max)");
    }
    if (multifdChannels < 1 || multifdChannels > MAX_CHANNELS) {
      throw new IllegalArgumentException(
          "multifd channels " + multifdChannels + " is out of range 1.." + MAX_CHANNELS);
    }
    timeout.ifPresent(
        t -> {
          if (t.compareTo(MIN_TIMEOUT) < 0 || t.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException(
                "timeout " + t.toSeconds() + " s is out of range 5 s .. 6 h");
          }
        });
  }

  public static MigrationSettings defaults() {
    return new MigrationSettings(
        Optional.empty(),
        DEFAULT_INITIAL_DOWNTIME,
        DEFAULT_MAX_DOWNTIME,
        1,
        true,
        false,
        Optional.empty(),
        TimeoutAction.ABORT,
        false,
        false);
  }

  /** The same settings with an explicit storage policy. */
  public MigrationSettings withStorage(boolean copyAll, boolean keepSourceCopies) {
    return new MigrationSettings(
        bandwidth,
        initialDowntime,
        maxDowntime,
        multifdChannels,
        autoConverge,
        allowPostcopy,
        timeout,
        timeoutAction,
        copyAll,
        keepSourceCopies);
  }

  public MigrationSettings withBandwidth(Optional<DataRate> cap) {
    return new MigrationSettings(
        cap,
        initialDowntime,
        maxDowntime,
        multifdChannels,
        autoConverge,
        allowPostcopy,
        timeout,
        timeoutAction,
        copyStorage,
        keepSource);
  }
}
