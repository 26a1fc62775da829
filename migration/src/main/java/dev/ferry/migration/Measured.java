package dev.ferry.migration;

import dev.ferry.common.DataRate;
import java.time.Duration;
import java.util.Objects;

/**
 * What was measured while the destination prepared, and the prediction and time budget made from
 * it.
 *
 * @param dirtyRate the guest's dirty rate
 * @param link the rate a burst reached over the path the stream will take
 * @param prediction the model's expectation
 * @param budget the time budget pre-copy is held to
 */
public record Measured(DataRate dirtyRate, DataRate link, Prediction prediction, Duration budget) {
  public Measured {
    Objects.requireNonNull(dirtyRate, "dirtyRate");
    Objects.requireNonNull(link, "link");
    Objects.requireNonNull(prediction, "prediction");
    Objects.requireNonNull(budget, "budget");
  }
}
