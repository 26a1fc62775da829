package dev.ferry.bench;

import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What one peer measured migrating one guest once. Figures a peer could not obtain are empty.
 *
 * @param peer the peer's name
 * @param scenario the scenario's id
 * @param run 1-based run number
 * @param outcome how the attempt ended
 * @param total from the migration request until the guest ran on the destination, as the caller of
 *     the peer sees it (includes preparing the destination); for an attempt that did not converge,
 *     until it was cancelled
 * @param migration the hypervisor's own figure for the migration stream ({@code total-time}; for
 *     libvirt, its job's elapsed time)
 * @param downtime the hypervisor's own figure for the pause ({@code downtime}; for libvirt, its job
 *     statistics)
 * @param outage the longest gap between answers seen by a client probing the guest every 1 ms
 * @param transferred bytes sent by the migration stream
 * @param outageAt when the longest gap began, counted from the migration request (an outage at the
 *     switchover starts near the end of the migration; one elsewhere points at something else)
 * @param moved bytes the source host sent over its link while the peer migrated (memory, disk
 *     copies, and everything else): the same measure for every peer
 * @param guestWrites the rate the guest's disk writer achieved from just before the migration until
 *     the probe stopped, for scenarios with a disk
 */
public record RunResult(
    String peer,
    String scenario,
    int run,
    Outcome outcome,
    Optional<Duration> total,
    Optional<Duration> migration,
    Optional<Duration> downtime,
    Optional<Duration> outage,
    Optional<ByteSize> transferred,
    Optional<Duration> outageAt,
    Optional<ByteSize> moved,
    Optional<DataRate> guestWrites) {

  public RunResult {
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(scenario, "scenario");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(total, "total");
    Objects.requireNonNull(migration, "migration");
    Objects.requireNonNull(downtime, "downtime");
    Objects.requireNonNull(outage, "outage");
    Objects.requireNonNull(transferred, "transferred");
    Objects.requireNonNull(outageAt, "outageAt");
    Objects.requireNonNull(moved, "moved");
    Objects.requireNonNull(guestWrites, "guestWrites");
  }

  /** The hypervisor's figures of one migration, before the client's outage is known. */
  public static RunResult measured(
      String peer,
      Scenario scenario,
      int run,
      Outcome outcome,
      Duration total,
      Optional<Duration> migration,
      Optional<Duration> downtime,
      Optional<ByteSize> transferred) {
    return new RunResult(
        peer,
        scenario.id(),
        run,
        outcome,
        Optional.of(total),
        migration,
        downtime,
        Optional.empty(),
        transferred,
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  /** A result with no figures: for unavailable peers and attempts that failed early. */
  public static RunResult without(String peer, Scenario scenario, int run, Outcome outcome) {
    return new RunResult(
        peer,
        scenario.id(),
        run,
        outcome,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  /** The same result with the client-side outage, and when it began, filled in. */
  public RunResult withOutage(Duration outage, Optional<Duration> outageAt) {
    return new RunResult(
        peer,
        scenario,
        run,
        outcome,
        total,
        migration,
        downtime,
        Optional.of(outage),
        transferred,
        outageAt,
        moved,
        guestWrites);
  }

  /**
   * The same result with the bytes the source host sent during the migration, and the rate the
   * guest wrote its disk at meanwhile, filled in.
   */
  public RunResult withTraffic(Optional<ByteSize> moved, Optional<DataRate> guestWrites) {
    return new RunResult(
        peer,
        scenario,
        run,
        outcome,
        total,
        migration,
        downtime,
        outage,
        transferred,
        outageAt,
        moved,
        guestWrites);
  }
}
