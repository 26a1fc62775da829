package dev.ferry.api.route;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A typed query parameter of a {@link Route}: its name, its type, the value it has when absent, and
 * what values the server accepts. The client writes it with {@link #format}; the server reads it
 * (Javalin's {@code queryParamAsClass(...).check(...)}) and refuses a bad value with a message
 * naming the parameter, the value and what was expected.
 *
 * <p>Compared by identity: each parameter is declared once, as a constant of a route table.
 *
 * @param <T> the value's type
 */
public final class QueryParam<T> {
  private final String name;
  private final Class<T> type;
  private final T fallback;
  private final String expected;
  private final Predicate<T> valid;
  private final String rule;
  private final Function<T, String> format;

  private QueryParam(
      String name,
      Class<T> type,
      T fallback,
      String expected,
      Predicate<T> valid,
      String rule,
      Function<T, String> format) {
    this.name = Objects.requireNonNull(name);
    this.type = Objects.requireNonNull(type);
    this.fallback = Objects.requireNonNull(fallback);
    this.expected = expected;
    this.valid = valid;
    this.rule = rule;
    this.format = format;
  }

  /** {@code true} or {@code false}; {@code false} when absent. */
  public static QueryParam<Boolean> flag(String name) {
    return new QueryParam<>(
        name, Boolean.class, false, "true or false", v -> true, "valid", String::valueOf);
  }

  /** A whole number of at least {@code min}; {@code fallback} when absent. */
  public static QueryParam<Long> number(String name, long fallback, long min) {
    return new QueryParam<>(
        name, Long.class, fallback, "a number", v -> v >= min, "below " + min, String::valueOf);
  }

  /**
   * A duration in whole seconds, written {@code 30s} (a bare {@code 30} is read as seconds too),
   * between zero and {@code max}; {@code fallback} when absent.
   */
  public static QueryParam<Duration> seconds(String name, Duration fallback, Duration max) {
    return new QueryParam<>(
        name,
        Duration.class,
        fallback,
        "a duration such as 30s",
        d -> !d.isNegative() && d.compareTo(max) <= 0,
        "out of range 0.." + max.toSeconds() + "s",
        d -> d.toSeconds() + "s");
  }

  /** How the server reads a {@link #seconds} value; throws on anything else. */
  public static Duration parseSeconds(String text) {
    String digits = text.endsWith("s") ? text.substring(0, text.length() - 1) : text;
    return Duration.ofSeconds(Long.parseLong(digits));
  }

  /** How the server reads a {@link #flag} value; throws on anything else. */
  public static Boolean parseFlag(String text) {
    return switch (text) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> throw new IllegalArgumentException(text + " is not true or false");
    };
  }

  public String name() {
    return name;
  }

  public Class<T> type() {
    return type;
  }

  /** The value when the parameter is absent or empty. */
  public T fallback() {
    return fallback;
  }

  /** What a value must look like, for messages: "a number", "true or false". */
  public String expected() {
    return expected;
  }

  /** Whether the server accepts {@code value}. */
  public boolean accepts(T value) {
    return valid.test(value);
  }

  /** What a refused value is, for messages: "below 0", "out of range 0..600s". */
  public String rule() {
    return rule;
  }

  /** The value as it goes on the wire. */
  public String format(T value) {
    return format.apply(value);
  }

  @Override
  public String toString() {
    return name;
  }
}
