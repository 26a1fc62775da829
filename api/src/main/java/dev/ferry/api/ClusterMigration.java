package dev.ferry.api;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.ferry.migration.MigrationRecord;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * A migration as the manager's queue sees it: waiting (and why), running on the source agent, or
 * ended with the agent's full record.
 *
 * @param id the manager's id for it
 * @param vm the VM
 * @param source the host it leaves
 * @param destination the host it goes to
 * @param status where it is in the queue
 * @param reason why it waits, or why it failed or was cancelled
 * @param origin who asked: an operator, a maintenance evacuation, the balancer
 * @param requestedAt when it was queued
 * @param startedAt when the source agent started it
 * @param endedAt when it ended
 * @param agentMigration the source agent's migration id once started
 * @param record the source agent's record (progress while running, result once ended)
 */
public record ClusterMigration(
    String id,
    String vm,
    String source,
    String destination,
    Status status,
    Optional<String> reason,
    String origin,
    Instant requestedAt,
    Optional<Instant> startedAt,
    Optional<Instant> endedAt,
    Optional<String> agentMigration,
    Optional<MigrationRecord> record) {

  /** A migration just queued, waiting for the dispatcher. */
  public static ClusterMigration queued(
      String id, String vm, String source, String destination, String origin, Instant at) {
    return new ClusterMigration(
        id,
        vm,
        source,
        destination,
        Status.QUEUED,
        Optional.of("waiting: queued"),
        origin,
        at,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  /** This migration with {@code why} as its reason (why it waits, what it is doing). */
  public ClusterMigration withReason(String why) {
    return new ClusterMigration(
        id,
        vm,
        source,
        destination,
        status,
        Optional.of(why),
        origin,
        requestedAt,
        startedAt,
        endedAt,
        agentMigration,
        record);
  }

  /** This migration with the source agent's latest record, and no reason any more. */
  public ClusterMigration withRecord(MigrationRecord latest) {
    return new ClusterMigration(
        id,
        vm,
        source,
        destination,
        status,
        Optional.empty(),
        origin,
        requestedAt,
        startedAt,
        endedAt,
        agentMigration,
        Optional.of(latest));
  }

  /** Picked by the dispatcher at {@code at}; the source agent has not answered yet. */
  public ClusterMigration starting(Instant at, String why) {
    return new ClusterMigration(
        id,
        vm,
        source,
        destination,
        Status.RUNNING,
        Optional.of(why),
        origin,
        requestedAt,
        Optional.of(at),
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  /** Started by the source agent as {@code first}'s migration. */
  public ClusterMigration runningAs(MigrationRecord first) {
    return new ClusterMigration(
        id,
        vm,
        source,
        destination,
        Status.RUNNING,
        Optional.empty(),
        origin,
        requestedAt,
        startedAt,
        Optional.empty(),
        Optional.of(first.id().value()),
        Optional.of(first));
  }

  /** Ended at {@code at} with a final status, why (if not completed) and the last agent record. */
  public ClusterMigration ended(
      Status end, Optional<String> why, Instant at, Optional<MigrationRecord> last) {
    return new ClusterMigration(
        id,
        vm,
        source,
        destination,
        end,
        why,
        origin,
        requestedAt,
        startedAt,
        Optional.of(at),
        agentMigration,
        last);
  }

  /** Queue states; the last four are final. */
  public enum Status {
    QUEUED,
    RUNNING,
    COMPLETED,
    FAILED,
    ABORTED,
    CANCELLED;

    @JsonValue
    public String text() {
      return name().toLowerCase(Locale.ROOT);
    }

    public boolean done() {
      return this != QUEUED && this != RUNNING;
    }
  }
}
