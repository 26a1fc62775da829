package dev.ferry.manager.hosts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.AgentEvent;
import dev.ferry.api.ClusterHost;
import dev.ferry.manager.queue.FakeAgent;
import dev.ferry.manager.store.Database;
import dev.ferry.manager.store.HostStore;
import dev.ferry.migration.MigrationId;
import dev.ferry.migration.MigrationRecord;
import dev.ferry.migration.MigrationSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What happens on a host reaches the inventory through the agent's event stream, not at the next
 * heartbeat: against a fake agent over real HTTP, with no periodic heartbeat running at all.
 */
@Timeout(30)
class HostWatchTest {
  @TempDir Path dir;
  FakeAgent agent;
  HostStore hosts;
  HostWatch watch;
  ScheduledExecutorService scheduler;
  final AtomicInteger beats = new AtomicInteger();

  @BeforeEach
  void up() {
    agent = new FakeAgent("host-a");
    hosts = new HostStore(Database.open("sqlite:" + dir.resolve("inventory.db")));
    Instant now = Instant.now();
    hosts.upsert(
        new ClusterHost(
            "host-a",
            agent.url(),
            ClusterHost.Status.UP,
            now,
            Optional.of(now),
            ClusterHost.Maintenance.NONE,
            Optional.empty(),
            Optional.empty()),
        now);
    scheduler = Executors.newSingleThreadScheduledExecutor();
    watch = new HostWatch(hosts, h -> beats.incrementAndGet(), Duration.ofMillis(200));
    watch.start(scheduler);
  }

  @AfterEach
  void down() {
    watch.close();
    scheduler.shutdownNow();
    agent.close();
  }

  private void event(String vm) {
    agent.publish(
        MigrationRecord.begin(
            new MigrationId("m-00000000000" + (vm.length() % 10)),
            vm,
            "host-a",
            "host-b",
            Instant.now(),
            MigrationSettings.defaults()),
        AgentEvent.Type.MIGRATION_STATE);
  }

  @Test
  void anEventOnAHostBringsItsHeartbeatAtOnceAndABurstFoldsIntoFew() {
    await("the stream opens and the opening asks for a beat")
        .until(() -> agent.openStreams() == 1 && beats.get() >= 1);
    int before = beats.get();
    event("vm1");
    await("a beat follows the event").until(() -> beats.get() > before);
    int afterOne = beats.get();
    for (int i = 0; i < 50; i++) {
      event("vm" + i);
    }
    await("the burst is seen").until(() -> beats.get() > afterOne);
    assertThat(beats.get() - afterOne).as("50 events, folded").isLessThan(50);
  }

  @Test
  void aCutStreamIsReopenedAndItsOpeningAsksForABeat() {
    await().until(() -> agent.openStreams() == 1);
    agent.cutStreams();
    await("the stream is gone").until(() -> agent.openStreams() == 0);
    int before = beats.get();
    agent.restoreStreams();
    await("reopened").until(() -> agent.openStreams() == 1 && beats.get() > before);
    assertThat(agent.streamsOpened()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void aRemovedHostIsLetGo() {
    await().until(() -> agent.openStreams() == 1);
    hosts.delete("host-a");
    // The fake notices a closed client when it next writes, as the agent does with its
    // keep-alive comments: an event each poll.
    await("its stream is closed")
        .until(
            () -> {
              event("vm1");
              return agent.openStreams() == 0;
            });
    int after = beats.get();
    event("vm2");
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(2))
        .until(() -> beats.get() == after);
  }
}
