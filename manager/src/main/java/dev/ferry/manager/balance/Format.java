package dev.ferry.manager.balance;

import java.time.Duration;
import java.util.Locale;

/** Renders sizes, rates, shares and durations the way reasons show them to operators. */
final class Format {

  private static final long KIB = 1L << 10;
  private static final long MIB = 1L << 20;
  private static final long GIB = 1L << 30;
  private static final long TIB = 1L << 40;

  private Format() {}

  /** 512 MiB, 2 GiB, 1.5 GiB, 3 TiB. */
  static String bytes(long b) {
    if (b >= TIB) {
      return scaled(b, TIB, "TiB");
    }
    if (b >= GIB) {
      return scaled(b, GIB, "GiB");
    }
    if (b >= MIB) {
      return scaled(b, MIB, "MiB");
    }
    if (b >= KIB) {
      return scaled(b, KIB, "KiB");
    }
    return b + " B";
  }

  private static String scaled(long b, long unit, String name) {
    if (b % unit == 0) {
      return (b / unit) + " " + name;
    }
    return String.format(Locale.ROOT, "%.1f %s", (double) b / unit, name);
  }

  /** 10 MiB/s. */
  static String rate(long bytesPerSecond) {
    return bytes(bytesPerSecond) + "/s";
  }

  /** A load or share as a whole percentage: 0.912 → 91%. */
  static String percent(double ratio) {
    return Math.round(ratio * 100) + "%";
  }

  /** An estimated migration time: "~0.8 s", "~42 s", or "may not converge" when infinite. */
  static String seconds(double s) {
    if (Double.isInfinite(s)) {
      return "may not converge at the assumed link rate";
    }
    if (s < 10) {
      return String.format(Locale.ROOT, "~%.1f s", s);
    }
    return String.format(Locale.ROOT, "~%.0f s", s);
  }

  /** A window such as 1h, 30m or 45s. */
  static String duration(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    if (d.toSeconds() % 3600 == 0) {
      return d.toHours() + "h";
    }
    if (d.toSeconds() % 60 == 0) {
      return d.toMinutes() + "m";
    }
    return d.toSeconds() + "s";
  }

  /**
   * Two imbalance figures as "0.210→0.150", with as many decimals (3 to 6) as it takes to show they
   * differ.
   */
  static String change(double before, double after) {
    int digits = 3;
    while (digits < 6 && fixed(before, digits).equals(fixed(after, digits))) {
      digits++;
    }
    return fixed(before, digits) + "→" + fixed(after, digits);
  }

  /** A number with a fixed count of decimals. */
  static String fixed(double value, int digits) {
    return String.format(Locale.ROOT, "%." + digits + "f", value);
  }
}
