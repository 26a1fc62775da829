package dev.ferry.bench.report;

import dev.ferry.common.ByteSize;
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
}
