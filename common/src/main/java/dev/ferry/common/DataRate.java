package dev.ferry.common;

/** A non-negative data rate in bytes per second (bandwidth limits, measured throughput). */
public record DataRate(long bytesPerSecond) {
  /** No data per second; QEMU also uses it to mean "unlimited" for some limits. */
  public static final DataRate ZERO = new DataRate(0);

  private static final long MEBIBYTE = 1L << 20;

  public DataRate {
    if (bytesPerSecond < 0) {
      throw new IllegalArgumentException("rate must not be negative: " + bytesPerSecond);
    }
  }

  public static DataRate ofBytesPerSecond(long bytesPerSecond) {
    return new DataRate(bytesPerSecond);
  }

  public static DataRate ofMebibytesPerSecond(long mebibytesPerSecond) {
    return new DataRate(Math.multiplyExact(mebibytesPerSecond, MEBIBYTE));
  }

  /** The rate in whole mebibytes per second, rounded down. */
  public long toMebibytesPerSecond() {
    return bytesPerSecond / MEBIBYTE;
  }
}
