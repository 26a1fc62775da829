package dev.ferry.common;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Duration;
import java.util.Locale;

/**
 * A non-negative data rate in bytes per second (bandwidth limits, measured throughput, dirty
 * rates). Serialised as a plain number of bytes per second.
 */
public record DataRate(long bytesPerSecond) implements Comparable<DataRate> {
  /** No data per second; QEMU also uses it to mean "unlimited" for some limits. */
  public static final DataRate ZERO = new DataRate(0);

  private static final long MEBIBYTE = 1L << 20;

  public DataRate {
    if (bytesPerSecond < 0) {
      throw new IllegalArgumentException("rate must not be negative: " + bytesPerSecond);
    }
  }

  @JsonCreator
  public static DataRate ofBytesPerSecond(long bytesPerSecond) {
    return new DataRate(bytesPerSecond);
  }

  public static DataRate ofMebibytesPerSecond(long mebibytesPerSecond) {
    return new DataRate(Math.multiplyExact(mebibytesPerSecond, MEBIBYTE));
  }

  /** Same as {@link #ofMebibytesPerSecond}. */
  public static DataRate ofMiBPerSecond(long mib) {
    return ofMebibytesPerSecond(mib);
  }

  /** Bits per second, as links are quoted (decimal: 1 Mbit/s = 10^6 bit/s). */
  public static DataRate ofMegabitsPerSecond(double mbps) {
    return new DataRate(Math.round(mbps * 1_000_000 / 8));
  }

  /** Parses {@code 100M}, {@code 100M/s}, {@code 1G} (binary units, per second). */
  public static DataRate parse(String text) {
    String t = text.strip();
    if (t.endsWith("/s")) {
      t = t.substring(0, t.length() - 2);
    }
    return new DataRate(ByteSize.parse(t).bytes());
  }

  /** The rate that moves {@code size} in {@code elapsed}; zero when no time passed. */
  public static DataRate of(ByteSize size, Duration elapsed) {
    long nanos = elapsed.toNanos();
    if (nanos <= 0) {
      return ZERO;
    }
    return new DataRate(Math.round(size.bytes() * 1e9 / nanos));
  }

  @JsonValue
  @Override
  public long bytesPerSecond() {
    return bytesPerSecond;
  }

  /** The rate in whole mebibytes per second, rounded down. */
  public long toMebibytesPerSecond() {
    return bytesPerSecond / MEBIBYTE;
  }

  public double toMiBPerSecond() {
    return bytesPerSecond / (double) MEBIBYTE;
  }

  /** Time needed to move {@code size} at this rate; {@link ChronoLimits#FOREVER} at zero. */
  public Duration timeFor(ByteSize size) {
    if (bytesPerSecond == 0) {
      return ChronoLimits.FOREVER;
    }
    return Duration.ofNanos(Math.round(size.bytes() * 1e9 / bytesPerSecond));
  }

  @Override
  public int compareTo(DataRate o) {
    return Long.compare(bytesPerSecond, o.bytesPerSecond);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%.1f MiB/s", toMiBPerSecond());
  }
}
