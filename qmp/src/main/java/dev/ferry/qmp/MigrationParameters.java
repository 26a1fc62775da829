package dev.ferry.qmp;

import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Migration parameters: the reply of {@code query-migrate-parameters} (every member QEMU 7.2 knows
 * is present) and the arguments of {@code migrate-set-parameters} (only present members are sent,
 * so build one with just what should change).
 *
 * <p>Units are typed: QEMU's milliseconds become {@link Duration}, bytes per second {@link
 * DataRate}, bytes {@link ByteSize}. {@code block-bitmap-mapping} is not modelled.
 *
 * @param announceInitial delay before the first self-announcement after migration
 * @param announceMax the longest delay between announcements
 * @param announceRounds how many announcements to send
 * @param announceStep how much the delay grows each round
 * @param throttleTriggerThreshold percentage of dirtied to transferred bytes that triggers
 *     auto-converge throttling
 * @param cpuThrottleInitial auto-converge's first throttle, in percent
 * @param cpuThrottleIncrement auto-converge's step, in percent
 * @param tlsCreds id of a TLS credentials object; empty string for plain TCP
 * @param maxBandwidth pre-copy bandwidth cap
 * @param downtimeLimit the longest pause QEMU may plan for the switchover
 * @param maxPostcopyBandwidth post-copy bandwidth cap; zero means unlimited
 * @param maxCpuThrottle auto-converge's ceiling, in percent
 */
public record MigrationParameters(
    Optional<Duration> announceInitial,
    Optional<Duration> announceMax,
    Optional<Integer> announceRounds,
    Optional<Duration> announceStep,
    Optional<Integer> compressLevel,
    Optional<Integer> compressThreads,
    Optional<Boolean> compressWaitThread,
    Optional<Integer> decompressThreads,
    Optional<Integer> throttleTriggerThreshold,
    Optional<Integer> cpuThrottleInitial,
    Optional<Integer> cpuThrottleIncrement,
    Optional<Boolean> cpuThrottleTailslow,
    Optional<String> tlsCreds,
    Optional<String> tlsHostname,
    Optional<String> tlsAuthz,
    Optional<DataRate> maxBandwidth,
    Optional<Duration> downtimeLimit,
    Optional<Duration> xCheckpointDelay,
    Optional<Boolean> blockIncremental,
    Optional<Integer> multifdChannels,
    Optional<ByteSize> xbzrleCacheSize,
    Optional<DataRate> maxPostcopyBandwidth,
    Optional<Integer> maxCpuThrottle,
    Optional<MultifdCompression> multifdCompression,
    Optional<Integer> multifdZlibLevel,
    Optional<Integer> multifdZstdLevel) {

  /** Compression used by multifd channels. */
  public enum MultifdCompression {
    NONE,
    ZLIB,
    ZSTD
  }

  public MigrationParameters {
    announceInitial = orEmpty(announceInitial);
    announceMax = orEmpty(announceMax);
    announceRounds = orEmpty(announceRounds);
    announceStep = orEmpty(announceStep);
    compressLevel = orEmpty(compressLevel);
    compressThreads = orEmpty(compressThreads);
    compressWaitThread = orEmpty(compressWaitThread);
    decompressThreads = orEmpty(decompressThreads);
    throttleTriggerThreshold = orEmpty(throttleTriggerThreshold);
    cpuThrottleInitial = orEmpty(cpuThrottleInitial);
    cpuThrottleIncrement = orEmpty(cpuThrottleIncrement);
    cpuThrottleTailslow = orEmpty(cpuThrottleTailslow);
    tlsCreds = orEmpty(tlsCreds);
    tlsHostname = orEmpty(tlsHostname);
    tlsAuthz = orEmpty(tlsAuthz);
    maxBandwidth = orEmpty(maxBandwidth);
    downtimeLimit = orEmpty(downtimeLimit);
    xCheckpointDelay = orEmpty(xCheckpointDelay);
    blockIncremental = orEmpty(blockIncremental);
    multifdChannels = orEmpty(multifdChannels);
    xbzrleCacheSize = orEmpty(xbzrleCacheSize);
    maxPostcopyBandwidth = orEmpty(maxPostcopyBandwidth);
    maxCpuThrottle = orEmpty(maxCpuThrottle);
    multifdCompression = orEmpty(multifdCompression);
    multifdZlibLevel = orEmpty(multifdZlibLevel);
    multifdZstdLevel = orEmpty(multifdZstdLevel);
  }

  /** Starts a set of changes for {@code migrate-set-parameters}; nothing is set yet. */
  public static Builder builder() {
    return new Builder();
  }

  private static <T> Optional<T> orEmpty(Optional<T> value) {
    return value == null ? Optional.empty() : value;
  }

  private static int requirePercent(int value, String name) {
    if (value < 0 || value > 100) {
      throw new IllegalArgumentException(name + " must be a percentage (0-100): " + value);
    }
    return value;
  }

  private static Duration requireNotNegative(Duration value, String name) {
    if (value.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative: " + value);
    }
    return value;
  }

  /**
   * Collects parameters to change: the ones a migration policy tunes (the deprecated compression
   * and COLO parameters are read-only here). Ranges QEMU documents are checked at once; QEMU checks
   * the rest and rejects the whole command with GenericError.
   */
  public static final class Builder {
    private Duration announceInitial;
    private Duration announceMax;
    private Integer announceRounds;
    private Duration announceStep;
    private Integer throttleTriggerThreshold;
    private Integer cpuThrottleInitial;
    private Integer cpuThrottleIncrement;
    private Boolean cpuThrottleTailslow;
    private String tlsCreds;
    private String tlsHostname;
    private String tlsAuthz;
    private DataRate maxBandwidth;
    private Duration downtimeLimit;
    private Integer multifdChannels;
    private ByteSize xbzrleCacheSize;
    private DataRate maxPostcopyBandwidth;
    private Integer maxCpuThrottle;
    private MultifdCompression multifdCompression;

    private Builder() {}

    public Builder announce(Duration initial, Duration max, int rounds, Duration step) {
      this.announceInitial = requireNotNegative(initial, "announceInitial");
      this.announceMax = requireNotNegative(max, "announceMax");
      if (rounds < 0) {
        throw new IllegalArgumentException("announceRounds must not be negative: " + rounds);
      }
      this.announceRounds = rounds;
      this.announceStep = requireNotNegative(step, "announceStep");
      return this;
    }

    public Builder throttleTriggerThreshold(int percent) {
      this.throttleTriggerThreshold = requirePercent(percent, "throttleTriggerThreshold");
      return this;
    }

    public Builder cpuThrottle(int initialPercent, int incrementPercent, boolean tailslow) {
      this.cpuThrottleInitial = requirePercent(initialPercent, "cpuThrottleInitial");
      this.cpuThrottleIncrement = requirePercent(incrementPercent, "cpuThrottleIncrement");
      this.cpuThrottleTailslow = tailslow;
      return this;
    }

    public Builder maxCpuThrottle(int percent) {
      this.maxCpuThrottle = requirePercent(percent, "maxCpuThrottle");
      return this;
    }

    /** TLS credentials object id and the name to verify; empty strings turn TLS off. */
    public Builder tls(String creds, String hostname) {
      this.tlsCreds = Objects.requireNonNull(creds, "creds");
      this.tlsHostname = Objects.requireNonNull(hostname, "hostname");
      return this;
    }

    public Builder tlsAuthz(String authzObjectId) {
      this.tlsAuthz = Objects.requireNonNull(authzObjectId, "authzObjectId");
      return this;
    }

    public Builder maxBandwidth(DataRate rate) {
      this.maxBandwidth = Objects.requireNonNull(rate, "rate");
      return this;
    }

    public Builder downtimeLimit(Duration limit) {
      this.downtimeLimit = requireNotNegative(limit, "downtimeLimit");
      return this;
    }

    public Builder multifdChannels(int channels) {
      if (channels < 1 || channels > 255) {
        throw new IllegalArgumentException("multifdChannels must be 1-255: " + channels);
      }
      this.multifdChannels = channels;
      return this;
    }

    public Builder multifdCompression(MultifdCompression compression) {
      this.multifdCompression = Objects.requireNonNull(compression, "compression");
      return this;
    }

    public Builder xbzrleCacheSize(ByteSize size) {
      this.xbzrleCacheSize = Objects.requireNonNull(size, "size");
      return this;
    }

    /** Post-copy bandwidth cap; {@link DataRate#ZERO} means unlimited. */
    public Builder maxPostcopyBandwidth(DataRate rate) {
      this.maxPostcopyBandwidth = Objects.requireNonNull(rate, "rate");
      return this;
    }

    public MigrationParameters build() {
      return new MigrationParameters(
          Optional.ofNullable(announceInitial),
          Optional.ofNullable(announceMax),
          Optional.ofNullable(announceRounds),
          Optional.ofNullable(announceStep),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.ofNullable(throttleTriggerThreshold),
          Optional.ofNullable(cpuThrottleInitial),
          Optional.ofNullable(cpuThrottleIncrement),
          Optional.ofNullable(cpuThrottleTailslow),
          Optional.ofNullable(tlsCreds),
          Optional.ofNullable(tlsHostname),
          Optional.ofNullable(tlsAuthz),
          Optional.ofNullable(maxBandwidth),
          Optional.ofNullable(downtimeLimit),
          Optional.empty(),
          Optional.empty(),
          Optional.ofNullable(multifdChannels),
          Optional.ofNullable(xbzrleCacheSize),
          Optional.ofNullable(maxPostcopyBandwidth),
          Optional.ofNullable(maxCpuThrottle),
          Optional.ofNullable(multifdCompression),
          Optional.empty(),
          Optional.empty());
    }
  }
}
