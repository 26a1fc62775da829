package dev.ferry.bench.report;

import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/** How figures are written in tables. */
public final class Format {
  /** A figure that was not measured (or no run converged). */
  public static final String NONE = "—";

  private Format() {}

  /** Whole milliseconds with thousands separators: {@code 1,234 ms}. */
  public static String millis(Duration d) {
    return String.format(Locale.ROOT, "%,d ms", Math.round(d.toNanos() / 1e6));
  }

  public static String millis(Optional<Duration> d) {
    return d.map(Format::millis).orElse(NONE);
  }

  /** Binary units, one decimal: {@code 512.3 MiB}. */
  public static String size(ByteSize s) {
    return s.toHuman();
  }

  public static String size(Optional<ByteSize> s) {
    return s.map(Format::size).orElse(NONE);
  }

  /** How many times a reference: one decimal and a times sign, {@code 12.3×}. */
  public static String ratio(Optional<Double> r) {
    return r.map(v -> String.format(Locale.ROOT, "%.1f×", v)).orElse(NONE);
  }

  /** MiB/s with one decimal: {@code 4.9 MiB/s}. */
  public static String rate(Optional<DataRate> r) {
    return r.map(DataRate::toString).orElse(NONE);
  }
}
