package dev.ferry.manager.queue;

import dev.ferry.api.ClusterHost;
import dev.ferry.api.QueueLimits;
import dev.ferry.api.VmState;
import dev.ferry.common.ByteSize;
import dev.ferry.manager.hosts.AgentPool;
import dev.ferry.manager.leases.LeaseCause;
import dev.ferry.manager.leases.Leases;
import dev.ferry.manager.metrics.ManagerMetrics;
import dev.ferry.manager.store.Database;
import dev.ferry.manager.store.EventLog;
import dev.ferry.manager.store.HostStore;
import dev.ferry.manager.store.MigrationStore;
import dev.ferry.manager.store.VmStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A migration queue on a real SQLite inventory in a temporary directory, with one {@link FakeAgent}
 * as the source host {@code host-a} and a destination {@code host-b} nobody calls.
 */
final class QueueTestEnv implements AutoCloseable {
  static final String SOURCE = "host-a";
  static final String DESTINATION = "host-b";

  final FakeAgent agent = new FakeAgent(SOURCE);
  final HostStore hosts;
  final VmStore vms;
  final MigrationStore migrations;
  final EventLog events;
  final Leases leases;
  final AtomicReference<QueueLimits> limits = new AtomicReference<>(QueueLimits.DEFAULT);
  final MigrationQueue queue;
  private final AgentPool agents = new AgentPool(Duration.ofSeconds(3));

  QueueTestEnv(Path dir, QueueTimings timings) {
    Clock clock = Clock.systemUTC();
    Database db = Database.open("sqlite:" + dir.resolve("inventory.db"));
    hosts = new HostStore(db);
    vms = new VmStore(db);
    migrations = new MigrationStore(db);
    events = new EventLog(db, clock);
    leases = new Leases(vms, events, clock);
    Instant now = clock.instant();
    hosts.upsert(host(SOURCE, agent.url(), now), now);
    hosts.upsert(host(DESTINATION, "http://127.0.0.1:9", now), now);
    queue =
        new MigrationQueue(
            migrations,
            vms,
            leases,
            hosts,
            events,
            agents,
            clock,
            limits::get,
            new ManagerMetrics(List::of),
            timings);
    queue.start();
  }

  /** A running VM whose lease {@code host-a} holds at {@code epoch}. */
  void runningVm(String name, long epoch) {
    leases.grant(
        new Leases.Grant(name, SOURCE, epoch, VmState.RUNNING, 1, ByteSize.ofMiB(256), Set.of()),
        LeaseCause.ADOPTED);
  }

  private static ClusterHost host(String name, String url, Instant now) {
    return new ClusterHost(
        name,
        url,
        ClusterHost.Status.UP,
        now,
        Optional.of(now),
        ClusterHost.Maintenance.NONE,
        Optional.empty(),
        Optional.empty());
  }

  @Override
  public void close() {
    queue.close();
    agents.close();
    agent.close();
  }
}
