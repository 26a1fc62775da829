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
