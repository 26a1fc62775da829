package dev.ferry.manager.queue;

import dev.ferry.api.ClusterMigration;
import dev.ferry.api.QueueLimits;
import dev.ferry.common.DataRate;
import dev.ferry.manager.ManagerException;
import dev.ferry.manager.hosts.AgentPool;
import dev.ferry.manager.leases.Leases;
import dev.ferry.manager.metrics.ManagerMetrics;
import dev.ferry.manager.store.EventLog;
import dev.ferry.manager.store.HostStore;
import dev.ferry.manager.store.MigrationStore;
import dev.ferry.manager.store.VmStore;
import dev.ferry.migration.MigrationRecord;
import dev.ferry.migration.MigrationSettings;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's migration queue, its public face. Every migration the manager runs enters here:
 * {@link Admission} checks it, the {@link Dispatcher} decides which start (per-host and cluster
 * limits, fair across sources, see {@link Dispatch}), records the decision, then asks the source
 * agent to start it; one {@link Follower} per running migration mirrors the agent's record into the
 * inventory until it ends, driven by the agent's event stream. All changes are applied and recorded
 * by {@link QueueRecorder}. A restarted manager picks up running migrations from the inventory and
 * follows them again.
 */
public final class MigrationQueue implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MigrationQueue.class);

  private final QueueContext ctx;
  private final VmStore vms;
  private final Wake wake = new Wake();
  private final ReentrantLock submitLock = new ReentrantLock();
  private final Map<String, Follower> followers = new ConcurrentHashMap<>();
  private final Dispatcher dispatcher;
  private volatile boolean closed;

  public MigrationQueue(
      MigrationStore store,
      VmStore vms,
      Leases leases,
      HostStore hosts,
      EventLog events,
      AgentPool agents,
      Clock clock,
      Supplier<QueueLimits> limits,
      ManagerMetrics metrics) {
    this(store, vms, leases, hosts, events, agents, clock, limits, metrics, QueueTimings.DEFAULT);
  }

  public MigrationQueue(
      MigrationStore store,
      VmStore vms,
      Leases leases,
      HostStore hosts,
      EventLog events,
      AgentPool agents,
      Clock clock,
      Supplier<QueueLimits> limits,
      ManagerMetrics metrics,
      QueueTimings timings) {
    this.vms = vms;
    QueueRecorder recorder = new QueueRecorder(store, leases, events, metrics, clock, wake);
    this.ctx = new QueueContext(store, hosts, agents, recorder, timings);
    this.dispatcher = new Dispatcher(ctx, limits, wake, this::follow);
  }

  /** Called with each migration that ends (any outcome), on the thread that saw it end. */
  public void onEnd(Consumer<ClusterMigration> listener) {
    ctx.recorder().onEnd(listener);
  }

  /** Follows migrations a previous manager left running, then starts dispatching. */
  public void start() {
    for (MigrationStore.Row row : ctx.store().active()) {
      ClusterMigration m = row.migration();
      if (m.status() == ClusterMigration.Status.RUNNING) {
        log.info("Following migration {} of VM '{}' again after a restart", m.id(), m.vm());
        follow(m);
      }
    }
    dispatcher.start();
  }

  // ---------------------------------------------------------------- requests

  /**
   * Queues a migration of {@code vm} to {@code destination}.
   *
   * @throws ManagerException when the VM is unknown, not running, already migrating, or the
   *     destination cannot take it
   */
  public ClusterMigration submit(
      String vm, String destination, Optional<MigrationSettings> settings, String origin) {
    submitLock.lock();
    try {
      Admission.Verdict verdict =
          Admission.check(
              vm,
              vms.find(vm).map(VmStore.Row::vm),
              destination,
              ctx.hosts().find(destination),
              active());
      return switch (verdict) {
        case Admission.Refused r -> throw new ManagerException(r.status(), r.why());
        case Admission.Accepted a -> {
          ClusterMigration m =
              ClusterMigration.queued(
                  "cm-" + UUID.randomUUID().toString().substring(0, 8),
                  vm,
                  a.source(),
                  destination,
                  origin,
                  ctx.recorder().now());
          ctx.recorder().queued(m, settings);
          yield m;
        }
      };
    } finally {
      submitLock.unlock();
    }
  }

  /** Cancels a queued migration, or aborts a running one (refused by the agent after handover). */
  public ClusterMigration abort(String id) {
    ClusterMigration m = ctx.migration(id);
    switch (m.status()) {
      case QUEUED -> {
        return ctx.recorder()
            .ended(
                m,
                ClusterMigration.Status.CANCELLED,
                Optional.of("cancelled by an operator"),
                m.record());
      }
      case RUNNING -> {
        if (m.agentMigration().isEmpty()) {
          throw new ManagerException(409, "migration " + id + " is starting; abort it in a moment");
        }
        MigrationRecord r = ctx.operations(m.source()).abortMigration(m.agentMigration().get());
        return ctx.recorder().finish(m, r).orElseGet(() -> ctx.migration(id));
      }
      default -> {
        return m;
      }
    }
  }

  /** Changes a running migration's bandwidth cap, live. */
  public ClusterMigration setBandwidth(String id, DataRate rate) {
    ClusterMigration m = ctx.migration(id);
    if (m.status() != ClusterMigration.Status.RUNNING || m.agentMigration().isEmpty()) {
      throw new ManagerException(
          409, "migration " + id + " is " + m.status().text() + ", not running");
    }
    MigrationRecord r = ctx.operations(m.source()).setBandwidth(m.agentMigration().get(), rate);
    ClusterMigration updated = ctx.recorder().progress(m, r);
    ctx.recorder().bandwidth(m, rate);
    return updated;
  }

  public Optional<ClusterMigration> get(String id) {
    return ctx.store().find(id).map(MigrationStore.Row::migration);
  }

  public List<ClusterMigration> list(int limit) {
    return ctx.store().recent(limit).stream().map(MigrationStore.Row::migration).toList();
  }

  public List<ClusterMigration> active() {
    return ctx.store().active().stream().map(MigrationStore.Row::migration).toList();
  }

  /** Makes the dispatcher look at the queue now (limits changed, a host came back...). */
  public void wake() {
    wake.signal();
  }

  /** Whether the follower of migration {@code id} has its source agent's event stream open. */
  boolean streaming(String id) {
    Follower f = followers.get(id);
    return f != null && f.streaming();
  }

  private void follow(ClusterMigration m) {
    if (closed) {
      return;
    }
    Follower f = new Follower(ctx, m.id(), () -> followers.remove(m.id()));
    if (followers.putIfAbsent(m.id(), f) == null) {
      Thread.ofVirtual().name("migration-follow-" + m.id()).start(f);
    }
  }

  @Override
  public void close() {
    closed = true;
    dispatcher.close();
    followers.values().forEach(Follower::stop);
  }
}
