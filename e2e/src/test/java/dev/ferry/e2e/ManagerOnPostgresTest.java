package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.AgentClient;
import dev.ferry.api.ClusterMigration;
import dev.ferry.api.ClusterMigrationRequest;
import dev.ferry.api.ClusterVm;
import dev.ferry.api.ClusterVmCreate;
import dev.ferry.api.ManagerClient;
import dev.ferry.common.ByteSize;
import dev.ferry.lab.testbed.PostgresServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The manager on PostgreSQL instead of SQLite, end to end: a private PostgreSQL server in the
 * testbed's client namespace next to the manager, real agents, a real guest moved through the
 * queue, and a manager restart that finds everything again in the database.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ManagerOnPostgresTest {
  private static TestWorld world;
  private static PostgresServer postgres;
  private static ManagerProcess manager;

  @BeforeAll
  static void up() {
    world = TestWorld.up("fe2e-mpg", 49, 2);
    postgres = PostgresServer.startIn(world.testbed.clientNamespace());
    Path dir = world.testbed.stateRoot().resolve(world.testbed.name()).resolve("manager");
    manager = ManagerProcess.start(world.testbed, dir, postgres.newDatabase("ferry"));
  }

  @AfterAll
  static void down() {
    try {
      if (manager != null) {
        manager.close();
      }
      if (postgres != null) {
        postgres.close();
      }
    } finally {
      if (world != null) {
        world.close();
      }
    }
  }

  @Test
  void aClusterOnPostgresqlSurvivesAManagerRestart() {
    String migration;
    try (ManagerClient m = manager.client()) {
      for (String h : List.of("host-a", "host-b")) {
        m.addHost(world.host(h).plan().agentUrl().toString());
      }
      ClusterVm vm =
          m.createVm(
              new ClusterVmCreate(
                  world.guestRequest("pg1", 1, ByteSize.ofMiB(128), ""),
                  Optional.of("host-a"),
                  Set.of()));
      try (AgentClient a = world.agent("host-a")) {
        world.awaitGuestReady(a, "pg1");
      }
      migration =
          m.migrate(new ClusterMigrationRequest("pg1", Optional.of("host-b"), Optional.empty()))
              .id();
      await("migration done")
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> m.migration(migration).status().done());
      assertThat(m.migration(migration).status()).isEqualTo(ClusterMigration.Status.COMPLETED);
      assertThat(m.lease("pg1").epoch()).isEqualTo(vm.epoch() + 1);
    }
    manager.kill();
    manager.restart();
    try (ManagerClient m = manager.client()) {
      assertThat(m.hosts()).extracting(h -> h.name()).containsExactly("host-a", "host-b");
      assertThat(m.vm("pg1").host()).isEqualTo("host-b");
      assertThat(m.lease("pg1").host()).isEqualTo("host-b");
      ClusterMigration done = m.migration(migration);
      assertThat(done.status()).isEqualTo(ClusterMigration.Status.COMPLETED);
      assertThat(done.record().orElseThrow().durationMs()).isPresent();
      assertThat(manager.log()).contains("Inventory in PostgreSQL");
    }
    try (AgentClient b = world.agent("host-b")) {
      b.delete("pg1", true);
    }
  }
}
