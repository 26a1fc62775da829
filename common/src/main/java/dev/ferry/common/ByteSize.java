package dev.ferry.common;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A non-negative amount of data. Serialised as a plain number of bytes; parsed from either a number
 * of bytes or a human form with a binary unit ({@code 512M}, {@code 1GiB}, {@code 64k}).
 */
public record ByteSize(long bytes) implements Comparable<ByteSize> {
  public static final ByteSize ZERO = new ByteSize(0);
  private static final long KIB = 1024;
  private static final Pattern HUMAN =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgtp]?)(?:i?b)?", Pattern.CASE_INSENSITIVE);

  public ByteSize {
    if (bytes < 0) {
      throw new IllegalArgumentException("size must not be negative: " + bytes);
    }
  }

  @JsonCreator
  public static ByteSize ofBytes(long bytes) {
    return new ByteSize(bytes);
  }

  public static ByteSize ofKiB(long kib) {
    return new ByteSize(Math.multiplyExact(kib, KIB));
  }

  public static ByteSize ofMiB(long mib) {
    return new ByteSize(Math.multiplyExact(mib, KIB * KIB));
  }

  public static ByteSize ofGiB(long gib) {
    return new ByteSize(Math.multiplyExact(gib, KIB * KIB * KIB));
  }

  /** JSON also accepts the human form, e.g. {@code "512M"}. */
  @JsonCreator
  public static ByteSize fromText(String text) {
    return parse(text);
  }

  /**
   * Parses {@code 1073741824}, {@code 512M}, {@code 512MiB}, {@code 1.5G}. Units are binary.
   *
   * @throws IllegalArgumentException naming the text when it is not a size
   */
  public static ByteSize parse(String text) {
    Matcher m = HUMAN.matcher(text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "not a size: '" + text + "' (expected e.g. 512M, 2G, 1048576)");
    }
    double value = Double.parseDouble(m.group(1));
    int power = "kmgtp".indexOf(m.group(2).toLowerCase(Locale.ROOT)) + 1;
    double bytes = value * Math.pow(KIB, power);
    if (bytes > Long.MAX_VALUE) {
      throw new IllegalArgumentException("size too large: '" + text + "'");
    }
    return new ByteSize(Math.round(bytes));
  }

  @JsonValue
  @Override
  public long bytes() {
    return bytes;
  }

  public long toMiB() {
    return bytes / (KIB * KIB);
  }

  public ByteSize plus(ByteSize other) {
    return new ByteSize(Math.addExact(bytes, other.bytes));
  }

  public ByteSize minus(ByteSize other) {
    return new ByteSize(Math.max(0, bytes - other.bytes));
  }

  public boolean isGreaterThan(ByteSize other) {
    return bytes > other.bytes;
  }

  @Override
  public int compareTo(ByteSize o) {
    return Long.compare(bytes, o.bytes);
  }

  /** Human form with a binary unit and at most one decimal, e.g. {@code 1.5 GiB}. */
  public String toHuman() {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = bytes;
    int u = 0;
    while (v >= KIB && u < units.length - 1) {
      v /= KIB;
      u++;
    }
    if (u == 0 || v == Math.rint(v)) {
      return String.format(Locale.ROOT, "%d %s", Math.round(v), units[u]);
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  @Override
  public String toString() {
    return toHuman();
  }
}
