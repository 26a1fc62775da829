package dev.ferry.manager.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.AgentEvent;
import dev.ferry.api.ClusterMigration;
import dev.ferry.api.Lease;
import dev.ferry.api.QueueLimits;
import dev.ferry.migration.MigrationRecord;
import dev.ferry.migration.MigrationState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The queue against a fake source agent over real HTTP and a real SQLite inventory: it follows a
 * migration through the agent's event stream, falls back to reading the record when the stream is
 * cut, and starts migrations within the limits, woken by what changes rather than by a timer. Every
 * wait the queue could fall back on is a minute here, so only the path under test can make a test
 * pass within its few seconds.
 */
@Timeout(60)
class MigrationQueueTest {
  private static final Duration LONG = Duration.ofMinutes(1);
  private static final Duration SOON = Duration.ofSeconds(10);

  /** Nothing happens by timer: no recheck, no fallback read, no reconnect within a test. */
  private static final QueueTimings EVENTS_ONLY =
      new QueueTimings(LONG, Duration.ofMillis(100), LONG, LONG, LONG);

  @TempDir Path dir;

  @Test
  void followsAMigrationToCompletedThroughTheAgentsEvents() {
    try (QueueTestEnv env = new QueueTestEnv(dir, EVENTS_ONLY)) {
      env.runningVm("web", 1);
      ClusterMigration m =
          env.queue.submit("web", QueueTestEnv.DESTINATION, Optional.empty(), "test");
      await("the follower has the agent's stream open")
          .atMost(SOON)
          .until(() -> env.queue.streaming(m.id()));
      MigrationRecord started = env.agent.migration("web").orElseThrow();
      assertThat(env.queue.get(m.id()).orElseThrow().agentMigration())
          .contains(started.id().value());

      MigrationRecord warned = started.withWarning("the link is slow");
      env.agent.publish(warned, AgentEvent.Type.MIGRATION_PROGRESS);
      await("a progress event is mirrored")
          .atMost(SOON)
          .until(
              () ->
                  env.queue
                      .get(m.id())
                      .flatMap(ClusterMigration::record)
                      .map(r -> r.warnings().contains("the link is slow"))
                      .orElse(false));

      env.agent.publish(
          warned.withState(new MigrationState.Completed(2), Instant.now(), "handed over"),
          AgentEvent.Type.MIGRATION_STATE);
      await("the state event ends the entry")
          .atMost(SOON)
          .until(() -> env.queue.get(m.id()).orElseThrow().status().done());
      ClusterMigration done = env.queue.get(m.id()).orElseThrow();
      assertThat(done.status()).isEqualTo(ClusterMigration.Status.COMPLETED);
      assertThat(done.endedAt()).isPresent();
      Lease lease = env.leases.current("web").orElseThrow();
      assertThat(lease.host())
          .as("the completed migration's lease move is committed")
          .isEqualTo(QueueTestEnv.DESTINATION);
      assertThat(lease.epoch()).isEqualTo(2);
    }
  }

  @Test
  void readsTheRecordEveryFallbackIntervalWhileTheStreamIsCut() {
    QueueTimings timings =
        new QueueTimings(LONG, Duration.ofMillis(100), Duration.ofMillis(200), LONG, LONG);
    try (QueueTestEnv env = new QueueTestEnv(dir, timings)) {
      env.runningVm("web", 1);
      ClusterMigration m =
          env.queue.submit("web", QueueTestEnv.DESTINATION, Optional.empty(), "test");
      await().atMost(SOON).until(() -> env.queue.streaming(m.id()));

      env.agent.cutStreams();
      await("the follower notices the stream ended")
          .atMost(SOON)
          .until(() -> !env.queue.streaming(m.id()));
      int readsBefore = env.agent.reads();
      MigrationRecord r = env.agent.migration("web").orElseThrow();
      env.agent.set(
          r.withState(
              new MigrationState.Aborted(r.state().phase(), "an operator asked"),
              Instant.now(),
              "aborted"));

      await("a fallback read sees the silent end")
          .atMost(SOON)
          .until(() -> env.queue.get(m.id()).orElseThrow().status().done());
      ClusterMigration done = env.queue.get(m.id()).orElseThrow();
      assertThat(done.status()).isEqualTo(ClusterMigration.Status.ABORTED);
      assertThat(done.reason()).hasValueSatisfying(why -> assertThat(why).contains("an operator"));
      assertThat(env.agent.reads()).as("reads after the cut").isGreaterThan(readsBefore);
      assertThat(env.agent.streamsOpened()).as("no reconnect within the test").isEqualTo(1);
      assertThat(env.leases.current("web").orElseThrow().host())
          .as("an aborted migration leaves the lease where it was")
          .isEqualTo(QueueTestEnv.SOURCE);
    }
  }

  @Test
  void startsNoMoreThanTheLimitsAllowAndTheNextWhenOneEnds() {
    try (QueueTestEnv env = new QueueTestEnv(dir, EVENTS_ONLY)) {
      env.limits.set(new QueueLimits(1, 2, 5));
      env.runningVm("web", 1);
      env.runningVm("db", 1);
      ClusterMigration first =
          env.queue.submit("web", QueueTestEnv.DESTINATION, Optional.empty(), "test");
      await().atMost(SOON).until(() -> env.queue.streaming(first.id()));
      ClusterMigration second =
          env.queue.submit("db", QueueTestEnv.DESTINATION, Optional.empty(), "test");

      await("the second waits, saying why")
          .atMost(SOON)
          .until(
              () ->
                  env.queue
                      .get(second.id())
                      .flatMap(ClusterMigration::reason)
                      .map(why -> why.contains("already sends 1"))
                      .orElse(false));
      assertThat(env.queue.get(second.id()).orElseThrow().status())
          .isEqualTo(ClusterMigration.Status.QUEUED);
      assertThat(env.agent.migration("db")).as("not started on the agent").isEmpty();

      MigrationRecord r = env.agent.migration("web").orElseThrow();
      env.agent.publish(
          r.withState(new MigrationState.Completed(2), Instant.now(), "handed over"),
          AgentEvent.Type.MIGRATION_STATE);
      await("the end of the first starts the second")
          .atMost(SOON)
          .until(() -> env.agent.migration("db").isPresent());
      assertThat(env.queue.get(first.id()).orElseThrow().status())
          .isEqualTo(ClusterMigration.Status.COMPLETED);
      await()
          .atMost(SOON)
          .until(() -> env.queue.get(second.id()).orElseThrow().agentMigration().isPresent());
      assertThat(env.queue.get(second.id()).orElseThrow().status())
          .isEqualTo(ClusterMigration.Status.RUNNING);
    }
  }
}
