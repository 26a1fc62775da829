package dev.ferry.migration;

import java.util.Objects;

/**
 * Everything the copy phases (disk mirror, pre-copy, switchover) work from: the plan, the
 * destination's offer, and the measurements.
 */
public record Setup(Plan plan, Offer offer, Measured measured) {
  public Setup {
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(offer, "offer");
    Objects.requireNonNull(measured, "measured");
  }
}
