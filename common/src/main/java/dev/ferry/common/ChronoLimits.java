package dev.ferry.common;

import java.time.Duration;

/** Durations with a meaning of their own. */
public final class ChronoLimits {
  /** Stands for "never" where a duration is computed from a zero rate. */
  public static final Duration FOREVER = Duration.ofSeconds(Long.MAX_VALUE / 1_000_000_000L);

  private ChronoLimits() {}
}
