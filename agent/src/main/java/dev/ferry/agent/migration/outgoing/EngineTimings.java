package dev.ferry.agent.migration.outgoing;

import java.time.Duration;
import java.util.Objects;

/**
 * Every wait of the outgoing engine, named in one place: production uses {@link #defaults}, the
 * component tests shorten them so a phase runs in milliseconds.
 *
 * @param tick how often the copy phases sample QEMU when no event arrives
 * @param keepAlivePeriod how often the destination is told the source is alive
 * @param keepAliveFailures consecutive unanswered keepalives that count as a lost destination
 * @param keepAliveTimeout how long the destination waits for a keepalive before removing its side
 * @param stallTimeout a copy that moves no bytes this long has failed
 * @param switchoverWait how long the stream may take to complete once the source is paused
 * @param mirrorCompletion how long the disk mirrors may take to complete at the switchover
 * @param cancelWait how long QEMU and the mirrors may take to cancel on a rollback
 * @param handoverRetry how long past the keepalive timeout a handover is retried
 * @param handoverRetryDelay the delay between handover attempts
 * @param progressEvery the least time between two progress events
 * @param qmpTimeout how long a QMP query may take before the source QEMU counts as not answering
 * @param settlePatience how long a handover that did not end in a confirmation is settled (the
 *     manager or the destination asked again, with a backoff) before the guest is left paused
 */
public record EngineTimings(
    Duration tick,
    Duration keepAlivePeriod,
    int keepAliveFailures,
    Duration keepAliveTimeout,
    Duration stallTimeout,
    Duration switchoverWait,
    Duration mirrorCompletion,
    Duration cancelWait,
    Duration handoverRetry,
    Duration handoverRetryDelay,
    Duration progressEvery,
    Duration qmpTimeout,
    Duration settlePatience) {

  public EngineTimings {
    Objects.requireNonNull(tick, "tick");
    Objects.requireNonNull(keepAliveTimeout, "keepAliveTimeout");
    Objects.requireNonNull(stallTimeout, "stallTimeout");
    Objects.requireNonNull(settlePatience, "settlePatience");
    if (keepAliveFailures < 1) {
      throw new IllegalArgumentException("keepAliveFailures must be at least 1");
    }
  }

  /** The production waits, with the agent's configured keepalive and stall timeouts. */
  public static EngineTimings defaults(Duration keepAliveTimeout, Duration stallTimeout) {
    return new EngineTimings(
        Duration.ofMillis(250),
        Duration.ofSeconds(1),
        5,
        keepAliveTimeout,
        stallTimeout,
        Duration.ofSeconds(60),
        Duration.ofSeconds(30),
        Duration.ofSeconds(15),
        Duration.ofSeconds(15),
        Duration.ofMillis(500),
        Duration.ofMillis(500),
        Duration.ofSeconds(10),
        Duration.ofHours(1));
  }
}
