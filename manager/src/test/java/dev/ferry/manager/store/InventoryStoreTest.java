package dev.ferry.manager.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.api.ClusterHost;
import dev.ferry.api.ClusterMigration;
import dev.ferry.api.Lease;
import dev.ferry.api.MaintenanceStatus;
import dev.ferry.api.QueueLimits;
import dev.ferry.api.VmState;
import dev.ferry.common.ByteSize;
import dev.ferry.lab.testbed.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The inventory against both real databases: embedded SQLite and a private PostgreSQL server. Same
 * schema (Flyway), same behaviour.
 */
class InventoryStoreTest {
  private static PostgresServer postgres;
  @TempDir static Path tmp;
  private static int counter;

  @BeforeAll
  static void startPostgres() {
    postgres = PostgresServer.start();
  }

  @AfterAll
  static void stopPostgres() {
    if (postgres != null) {
      postgres.close();
    }
  }

  static Stream<String> databases() {
    return Stream.of("sqlite", "postgresql");
  }

  private static Database open(String kind) {
    counter++;
    return kind.equals("sqlite")
        ? Database.open("sqlite:" + tmp.resolve("inv" + counter + ".db"))
        : Database.open(postgres.newDatabase("inv" + counter));
  }

  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

  @ParameterizedTest
  @MethodSource("databases")
  void leasesMoveOnlyByCompareAndSet(String kind) {
    VmStore vms = new VmStore(open(kind));
    assertThat(
            vms.grant(
                "web", "host-a", 1, VmState.RUNNING, 2, ByteSize.ofMiB(512), Set.of("db"), T0))
        .isTrue();
    assertThat(vms.grant("web", "host-b", 1, VmState.RUNNING, 2, ByteSize.ofMiB(512), Set.of(), T0))
        .as("a second grant of the same VM")
        .isFalse();
    VmStore.Cas first = vms.transfer("web", "host-a", "host-b", 1, T0.plusSeconds(5));
    assertThat(first.moved()).as("the first transfer moves it").isTrue();
    Lease moved = first.after().orElseThrow();
    assertThat(moved.host()).isEqualTo("host-b");
    assertThat(moved.epoch()).isEqualTo(2);
    VmStore.Cas repeated = vms.transfer("web", "host-a", "host-b", 1, T0.plusSeconds(6));
    assertThat(repeated.moved()).as("a repeated transfer moves nothing").isFalse();
    Lease again = repeated.after().orElseThrow();
    assertThat(again).as("a repeated transfer is idempotent").isEqualTo(moved);
    Lease stale =
        vms.transfer("web", "host-a", "host-c", 1, T0.plusSeconds(7)).after().orElseThrow();
    assertThat(stale.host()).as("a stale holder cannot move it").isEqualTo("host-b");
    assertThat(vms.transfer("ghost", "host-a", "host-b", 1, T0).after()).isEmpty();
    VmStore.Row row = vms.find("web").orElseThrow();
    assertThat(row.antiAffinity()).containsExactly("db");
    assertThat(row.vm().memory()).isEqualTo(ByteSize.ofMiB(512));
  }

  @ParameterizedTest
  @MethodSource("databases")
  void hostsKeepStatusMaintenanceAndLoad(String kind) {
    HostStore hosts = new HostStore(open(kind));
    hosts.upsert(
        new ClusterHost(
            "host-a",
            "http://198.18.0.11:7700",
            ClusterHost.Status.UP,
            T0,
            Optional.of(T0),
            ClusterHost.Maintenance.NONE,
            Optional.empty(),
            Optional.empty()),
        T0);
    assertThat(hosts.unreachable("host-a", T0.plusSeconds(10))).isTrue();
    assertThat(hosts.unreachable("host-a", T0.plusSeconds(11))).as("already so").isFalse();
    ClusterHost h = hosts.find("host-a").orElseThrow();
    assertThat(h.status()).isEqualTo(ClusterHost.Status.UNREACHABLE);
    assertThat(h.statusSince()).isEqualTo(T0.plusSeconds(10));
    hosts.setMaintenance("host-a", ClusterHost.Maintenance.ENTERING);
    assertThat(hosts.find("host-a").orElseThrow().schedulable()).isFalse();
    hosts.delete("host-a");
    assertThat(hosts.all()).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("databases")
  void migrationsQueueInOrderAndEnd(String kind) {
    Database db = open(kind);
    MigrationStore store = new MigrationStore(db);
    for (int i = 0; i < 3; i++) {
      store.insert(
          new ClusterMigration(
              "cm-" + i,
              "vm" + i,
              "host-a",
              "host-b",
              ClusterMigration.Status.QUEUED,
              Optional.of("waiting: queued"),
              "operator",
              T0.plusSeconds(i),
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              Optional.empty()),
          Optional.empty());
    }
    ClusterMigration first = store.find("cm-0").orElseThrow().migration();
    store.update(
        new ClusterMigration(
            first.id(),
            first.vm(),
            first.source(),
            first.destination(),
            ClusterMigration.Status.COMPLETED,
            Optional.empty(),
            first.origin(),
            first.requestedAt(),
            Optional.of(T0.plusSeconds(10)),
            Optional.of(T0.plusSeconds(20)),
            Optional.of("m-1"),
            Optional.empty()));
    assertThat(store.active()).extracting(r -> r.migration().id()).containsExactly("cm-1", "cm-2");
    assertThat(store.recent(10)).extracting(r -> r.migration().id()).first().isEqualTo("cm-2");
    ClusterMigration done = store.find("cm-0").orElseThrow().migration();
    assertThat(done.status()).isEqualTo(ClusterMigration.Status.COMPLETED);
    assertThat(done.endedAt()).contains(T0.plusSeconds(20));
    assertThat(done.agentMigration()).contains("m-1");
    SettingsStore settings = new SettingsStore(db);
    settings.put("queue.limits", new QueueLimits(1, 2, 3));
    settings.put("queue.limits", new QueueLimits(2, 2, 3));
    assertThat(settings.get("queue.limits", QueueLimits.class)).contains(new QueueLimits(2, 2, 3));
    EvacuationStore evac = new EvacuationStore(db);
    evac.replace(
        "host-a",
        List.of(
            new MaintenanceStatus.Item(
                "vm0", Optional.of("host-b"), Optional.empty(), "planned", Optional.empty()),
            new MaintenanceStatus.Item(
                "vm1", Optional.empty(), Optional.empty(), "stuck", Optional.of("stopped"))));
    evac.update(
        "host-a",
        new MaintenanceStatus.Item(
            "vm0", Optional.of("host-b"), Optional.of("cm-0"), "queued", Optional.empty()));
    assertThat(evac.of("host-a"))
        .extracting(MaintenanceStatus.Item::status)
        .containsExactly("queued", "stuck");
    EventLog events = new EventLog(db, Clock.systemUTC());
    events.record("test", "vm0", "hello");
    assertThat(events.recent(5)).extracting(EventLog.Event::message).contains("hello");
  }

  @ParameterizedTest
  @MethodSource("databases")
  void reopeningKeepsDataAndSchema(String kind) throws Exception {
    String url;
    if (kind.equals("sqlite")) {
      url = "sqlite:" + tmp.resolve("reopen.db");
    } else {
      url = postgres.newDatabase("reopen");
    }
    new VmStore(Database.open(url))
        .grant("keep", "host-a", 3, VmState.STOPPED, 1, ByteSize.ofMiB(128), Set.of(), T0);
    assertThat(new VmStore(Database.open(url)).find("keep")).isPresent();
    if (kind.equals("sqlite")) {
      assertThat(Files.size(tmp.resolve("reopen.db"))).isPositive();
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void concurrentWritersDoNotFailOnLocks(String kind) throws Exception {
    Database db = open(kind);
    VmStore vms = new VmStore(db);
    MigrationStore migrations = new MigrationStore(db);
    try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
      List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 25; i++) {
                    String vm = "vm-" + thread + "-" + i;
                    vms.grant(vm, "host-a", 1, VmState.RUNNING, 1, ByteSize.ofMiB(1), Set.of(), T0);
                    vms.transfer(vm, "host-a", "host-b", 1, T0);
                    migrations.insert(
                        new ClusterMigration(
                            "cm-" + vm,
                            vm,
                            "host-a",
                            "host-b",
                            ClusterMigration.Status.QUEUED,
                            Optional.empty(),
                            "test",
                            T0,
                            Optional.empty(),
                            Optional.empty(),
                            Optional.empty(),
                            Optional.empty()),
                        Optional.empty());
                  }
                  return null;
                }));
      }
      for (var f : done) {
        f.get();
      }
    }
    assertThat(vms.all()).hasSize(200).allMatch(r -> r.vm().host().equals("host-b"));
    assertThat(migrations.active()).hasSize(200);
  }

  @org.junit.jupiter.api.Test
  void aDatabaseUrlOfNoKnownKindIsRefusedWithTheReason() {
    assertThatThrownBy(() -> Database.open("mysql://x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("neither sqlite:/ABSOLUTE/PATH nor jdbc:postgresql");
    assertThatThrownBy(() -> Database.open("sqlite:relative.db"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be absolute");
  }
}
