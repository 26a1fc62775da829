package dev.ferry.agent.migration.outgoing;

import dev.ferry.common.DataRate;
import dev.ferry.migration.Predictor;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What this host has learned from its own migrations, feeding the predictor: how fast the first
 * pass walks RAM, how fast QEMU streams dirty pages, and how much longer a user's outage is than
 * QEMU's downtime figure. Exponentially weighted; thread-safe.
 */
final class HostEstimates {
  private static final double WEIGHT = 0.3;
  private final ReentrantLock lock = new ReentrantLock();
  private Predictor.Estimates current = Predictor.Estimates.defaults();

  Predictor.Estimates current() {
    lock.lock();
    try {
      return current;
    } finally {
      lock.unlock();
    }
  }

  void observeStream(DataRate firstPass, DataRate stream) {
    lock.lock();
    try {
      current =
          new Predictor.Estimates(
              blend(current.firstPassRate(), firstPass),
              blend(current.streamRate(), stream),
              current.resumeOverhead(),
              current.fixedCost());
    } finally {
      lock.unlock();
    }
  }

  void observeOutage(Duration qemuDowntime, Duration outage) {
    Duration extra = outage.minus(qemuDowntime);
    if (extra.isNegative()) {
      return;
    }
    lock.lock();
    try {
      long ms =
          Math.round(
              current.resumeOverhead().toMillis() * (1 - WEIGHT) + extra.toMillis() * WEIGHT);
      current =
          new Predictor.Estimates(
              current.firstPassRate(),
              current.streamRate(),
              Duration.ofMillis(ms),
              current.fixedCost());
    } finally {
      lock.unlock();
    }
  }

  /** The time a migration spent outside its copy (total minus pre-copy and switchover). */
  void observeFixedCost(Duration outsideCopy) {
    if (outsideCopy.isNegative()) {
      return;
    }
    lock.lock();
    try {
      long ms =
          Math.round(
              current.fixedCost().toMillis() * (1 - WEIGHT) + outsideCopy.toMillis() * WEIGHT);
      current =
          new Predictor.Estimates(
              current.firstPassRate(),
              current.streamRate(),
              current.resumeOverhead(),
              Duration.ofMillis(ms));
    } finally {
      lock.unlock();
    }
  }

  private static DataRate blend(DataRate old, DataRate seen) {
    if (seen.bytesPerSecond() <= 0) {
      return old;
    }
    return DataRate.ofBytesPerSecond(
        Math.round(old.bytesPerSecond() * (1 - WEIGHT) + seen.bytesPerSecond() * WEIGHT));
  }
}
