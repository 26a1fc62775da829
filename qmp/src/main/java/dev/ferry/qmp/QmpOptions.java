package dev.ferry.qmp;

import dev.ferry.common.ByteSize;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings for one {@link QmpClient} connection.
 *
 * @param connectTimeout how long {@link QmpClient#connect} waits for the greeting and the
 *     capabilities negotiation (QEMU serves one QMP client per socket, so a second client waits
 *     here)
 * @param commandTimeout the deadline for {@link QmpClient#send(QmpCommand)} and {@link
 *     QmpClient#call(QmpCommand)} when none is given
 * @param maxMessageSize the longest message accepted from QEMU; longer ones are a protocol
 *     violation (a schema dump is about 200 KiB)
 */
public record QmpOptions(
    Duration connectTimeout, Duration commandTimeout, ByteSize maxMessageSize) {

  private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(30);
  private static final ByteSize DEFAULT_MAX_MESSAGE_SIZE = new ByteSize(16L << 20);

  public QmpOptions {
    requirePositive(connectTimeout, "connectTimeout");
    requirePositive(commandTimeout, "commandTimeout");
    Objects.requireNonNull(maxMessageSize, "maxMessageSize");
    if (maxMessageSize.bytes() < 1024 || maxMessageSize.bytes() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "maxMessageSize must be between 1 KiB and 2 GiB: " + maxMessageSize);
    }
  }

  public static QmpOptions defaults() {
    return new QmpOptions(
        DEFAULT_CONNECT_TIMEOUT, DEFAULT_COMMAND_TIMEOUT, DEFAULT_MAX_MESSAGE_SIZE);
  }

  public QmpOptions withConnectTimeout(Duration timeout) {
    return new QmpOptions(timeout, commandTimeout, maxMessageSize);
  }

  public QmpOptions withCommandTimeout(Duration timeout) {
    return new QmpOptions(connectTimeout, timeout, maxMessageSize);
  }

  public QmpOptions withMaxMessageSize(ByteSize size) {
    return new QmpOptions(connectTimeout, commandTimeout, size);
  }

  static Duration requirePositive(Duration duration, String name) {
    Objects.requireNonNull(duration, name);
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + duration);
    }
    return duration;
  }
}
