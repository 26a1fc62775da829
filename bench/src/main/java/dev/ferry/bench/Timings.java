package dev.ferry.bench;

import java.time.Duration;
import java.util.Objects;

/**
 * How long each step of a run may take or is given.
 *
 * @param boot how long a fresh guest may take to print {@code FERRY-GUEST-READY}
 * @param warmUp how long its workload runs before the probe and the migration start
 * @param firstReply how long the guest may take to answer the probe's first datagram
 * @param settle how long the probe keeps running after the switchover, so that a guest that has not
 *     answered again yet shows up as outage
 * @param giveUpAfter how long a migration may run before it counts as not converging and is
 *     cancelled
 * @param poll the interval of status queries where the peer offers no event to wait for
 */
public record Timings(
    Duration boot,
    Duration warmUp,
    Duration firstReply,
    Duration settle,
    Duration giveUpAfter,
    Duration poll) {

  public Timings {
    for (Duration d : new Duration[] {boot, warmUp, firstReply, settle, giveUpAfter, poll}) {
      Objects.requireNonNull(d, "timings");
      if (d.isNegative()) {
        throw new IllegalArgumentException("timings must not be negative: " + d);
      }
    }
    if (giveUpAfter.isZero() || poll.isZero()) {
      throw new IllegalArgumentException("giveUpAfter and poll must be positive");
    }
  }

  public static Timings defaults() {
    return new Timings(
        Duration.ofSeconds(120),
        Duration.ofSeconds(3),
        Duration.ofSeconds(10),
        Duration.ofSeconds(2),
        Duration.ofSeconds(90),
        Duration.ofMillis(10));
  }

  public Timings withGiveUpAfter(Duration giveUpAfter) {
    return new Timings(boot, warmUp, firstReply, settle, giveUpAfter, poll);
  }
}
