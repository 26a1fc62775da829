package dev.ferry.manager.queue;

import dev.ferry.api.AgentClient;
import dev.ferry.api.ApiException;
import dev.ferry.api.ClusterHost;
import dev.ferry.api.ClusterMigration;
import dev.ferry.api.MigrationRequest;
import dev.ferry.api.QueueLimits;
import dev.ferry.common.DataRate;
import dev.ferry.manager.ManagerException;
import dev.ferry.manager.hosts.AgentPool;
import dev.ferry.manager.leases.LeaseCause;
import dev.ferry.manager.leases.Leases;
import dev.ferry.manager.metrics.ManagerMetrics;
import dev.ferry.manager.store.EventLog;
import dev.ferry.manager.store.HostStore;
import dev.ferry.manager.store.MigrationStore;
import dev.ferry.manager.store.VmStore;
import dev.ferry.migration.MigrationRecord;
import dev.ferry.migration.MigrationSettings;
import dev.ferry.migration.MigrationState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's migration queue. Every migration the manager runs enters here; one dispatcher
 * thread decides which start (per-host and cluster limits, fair across sources, see {@link
 * Dispatch}), records the decision, then asks the source agent to start it; one follower thread per
 * running migration mirrors the agent's record into the inventory until it ends. A restarted
 * manager picks up running migrations from the inventory and follows them again.
 */
public final class MigrationQueue implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MigrationQueue.class);
  private static final Duration FOLLOW_INTERVAL = Duration.ofMillis(500);

  private final MigrationStore store;
  private final VmStore vms;
  private final Leases leases;
  private final HostStore hosts;
  private final EventLog events;
  private final AgentPool agents;
  private final Clock clock;
  private final Supplier<QueueLimits> limits;
  private final ManagerMetrics metrics;
  private final Semaphore wake = new Semaphore(0);
  private final ReentrantLock submitLock = new ReentrantLock();
  private final Map<String, Instant> lastStartBySource = new ConcurrentHashMap<>();
  private final Map<String, Thread> followers = new ConcurrentHashMap<>();
  private final List<Consumer<ClusterMigration>> endListeners = new CopyOnWriteArrayList<>();
  private volatile boolean closed;
  private Thread dispatcher;

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
    this.store = store;
    this.vms = vms;
    this.leases = leases;
    this.hosts = hosts;
    this.events = events;
    this.agents = agents;
    this.clock = clock;
    this.limits = limits;
    this.metrics = metrics;
  }

  /** Called with each migration that ends (any outcome), on the follower's thread. */
  public void onEnd(Consumer<ClusterMigration> listener) {
    endListeners.add(listener);
  }

  /** Follows migrations a previous manager left running, then starts dispatching. */
  public void start() {
    for (MigrationStore.Row row : store.active()) {
      ClusterMigration m = row.migration();
      if (m.status() == ClusterMigration.Status.RUNNING) {
        log.info("Following migration {} of VM '{}' again after a restart", m.id(), m.vm());
        follow(m);
      }
    }
    dispatcher =
        Thread.ofPlatform().name("migration-dispatcher").daemon().start(this::dispatchLoop);
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
      VmStore.Row row =
          vms.find(vm).orElseThrow(() -> new ManagerException(404, "no VM named '" + vm + "'"));
      String source = row.vm().host();
      if (source.equals(destination)) {
        throw new ManagerException(
            409, "VM '" + vm + "' already runs on " + destination + "; nothing to migrate");
      }
      if (!row.vm().state().hasProcess()) {
        throw new ManagerException(
            409,
            "VM '" + vm + "' is " + row.vm().state().text() + "; only a running VM can migrate");
      }
      ClusterHost dst =
          hosts
              .find(destination)
              .orElseThrow(() -> new ManagerException(404, "no host named '" + destination + "'"));
      if (!dst.schedulable()) {
        throw new ManagerException(
            409,
            "host "
                + destination
                + " takes no VMs: it is "
                + (dst.status() != ClusterHost.Status.UP
                    ? dst.status().text()
                    : "in maintenance (" + dst.maintenance().text() + ")"));
      }
      for (MigrationStore.Row a : store.active()) {
        if (a.migration().vm().equals(vm)) {
          throw new ManagerException(
              409,
              "VM '"
                  + vm
                  + "' already has migration "
                  + a.migration().id()
                  + " "
                  + a.migration().status().text());
        }
      }
      ClusterMigration m =
          new ClusterMigration(
              "cm-" + UUID.randomUUID().toString().substring(0, 8),
              vm,
              source,
              destination,
              ClusterMigration.Status.QUEUED,
              Optional.of("waiting: queued"),
              origin,
              clock.instant(),
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              Optional.empty());
      store.insert(m, settings);
      events.record(
          "migration-queued",
          vm,
          m.id() + ": " + source + " → " + destination + " (" + origin + ")");
      wake.release();
      return m;
    } finally {
      submitLock.unlock();
    }
  }

  /** Cancels a queued migration, or aborts a running one (refused by the agent after handover). */
  public ClusterMigration abort(String id) {
    MigrationStore.Row row = row(id);
    ClusterMigration m = row.migration();
    switch (m.status()) {
      case QUEUED -> {
        ClusterMigration c =
            ended(m, ClusterMigration.Status.CANCELLED, "cancelled by an operator", m.record());
        return c;
      }
      case RUNNING -> {
        if (m.agentMigration().isEmpty()) {
          throw new ManagerException(409, "migration " + id + " is starting; abort it in a moment");
        }
        MigrationRecord r =
            agents.operations(url(m.source())).abortMigration(m.agentMigration().get());
        return finish(m, r).orElseGet(() -> row(id).migration());
      }
      default -> {
        return m;
      }
    }
  }

  /** Changes a running migration's bandwidth cap, live. */
  public ClusterMigration setBandwidth(String id, DataRate rate) {
    ClusterMigration m = row(id).migration();
    if (m.status() != ClusterMigration.Status.RUNNING || m.agentMigration().isEmpty()) {
      throw new ManagerException(
          409, "migration " + id + " is " + m.status().text() + ", not running");
    }
    MigrationRecord r =
        agents.operations(url(m.source())).setBandwidth(m.agentMigration().get(), rate);
    ClusterMigration updated = withRecord(m, r);
    store.update(updated);
    events.record("migration-bandwidth", m.vm(), id + ": bandwidth cap set to " + rate);
    return updated;
  }

  public Optional<ClusterMigration> get(String id) {
    return store.find(id).map(MigrationStore.Row::migration);
  }

  public List<ClusterMigration> list(int limit) {
    return store.recent(limit).stream().map(MigrationStore.Row::migration).toList();
  }

  public List<ClusterMigration> active() {
    return store.active().stream().map(MigrationStore.Row::migration).toList();
  }

  /** Makes the dispatcher look at the queue now (limits changed, a host came back...). */
  public void wake() {
    wake.release();
  }

  // ---------------------------------------------------------------- dispatcher

  private void dispatchLoop() {
    while (!closed) {
      try {
        dispatchOnce();
        wake.tryAcquire(1, TimeUnit.SECONDS);
        wake.drainPermits();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        log.error("Queue dispatch failed; retrying", e);
        try {
          Thread.sleep(1000);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void dispatchOnce() {
    List<MigrationStore.Row> active = store.active();
    List<ClusterMigration> running =
        active.stream()
            .map(MigrationStore.Row::migration)
            .filter(m -> m.status() == ClusterMigration.Status.RUNNING)
            .toList();
    List<ClusterMigration> queued =
        active.stream()
            .map(MigrationStore.Row::migration)
            .filter(m -> m.status() == ClusterMigration.Status.QUEUED)
            .toList();
    if (queued.isEmpty()) {
      return;
    }
    Dispatch.Decision d = Dispatch.decide(running, queued, limits.get(), lastStartBySource);
    for (ClusterMigration m : queued) {
      String why = d.waiting().get(m.id());
      if (why != null && !m.reason().equals(Optional.of(why))) {
        store.update(withReason(m, why));
      }
    }
    for (ClusterMigration m : d.start()) {
      Optional<MigrationSettings> settings =
          store.find(m.id()).flatMap(MigrationStore.Row::settings);
      ClusterMigration starting =
          new ClusterMigration(
              m.id(),
              m.vm(),
              m.source(),
              m.destination(),
              ClusterMigration.Status.RUNNING,
              Optional.of("starting: preflight on " + m.source()),
              m.origin(),
              m.requestedAt(),
              Optional.of(clock.instant()),
              Optional.empty(),
              Optional.empty(),
              Optional.empty());
      store.update(starting);
      lastStartBySource.put(m.source(), clock.instant());
      Thread.ofVirtual().name("migration-start-" + m.id()).start(() -> launch(starting, settings));
    }
  }

  private void launch(ClusterMigration m, Optional<MigrationSettings> settings) {
    try {
      AgentClient source = agents.operations(url(m.source()));
      MigrationRequest request =
          new MigrationRequest(m.destination(), url(m.destination()), settings);
      MigrationRecord r = source.migrate(m.vm(), request);
      ClusterMigration running =
          new ClusterMigration(
              m.id(),
              m.vm(),
              m.source(),
              m.destination(),
              ClusterMigration.Status.RUNNING,
              Optional.empty(),
              m.origin(),
              m.requestedAt(),
              m.startedAt(),
              Optional.empty(),
              Optional.of(r.id().value()),
              Optional.of(r));
      store.update(running);
      events.record(
          "migration-started",
          m.vm(),
          m.id() + " runs as " + r.id().value() + " on " + m.source() + " → " + m.destination());
      follow(running);
    } catch (ApiException e) {
      ended(m, ClusterMigration.Status.FAILED, "refused: " + e.getMessage(), Optional.empty());
    } catch (RuntimeException e) {
      ended(
          m,
          ClusterMigration.Status.FAILED,
          "could not start: " + e.getMessage(),
          Optional.empty());
    }
  }

  // ---------------------------------------------------------------- following

  private void follow(ClusterMigration m) {
    Thread t =
        Thread.ofVirtual().name("migration-follow-" + m.id()).unstarted(() -> followLoop(m.id()));
    if (followers.putIfAbsent(m.id(), t) == null) {
      t.start();
    }
  }

  private void followLoop(String id) {
    Instant unreachableSince = null;
    try {
      while (!closed) {
        ClusterMigration m = row(id).migration();
        if (m.status().done()) {
          return;
        }
        Optional<String> agentId = m.agentMigration();
        if (agentId.isEmpty()) {
          agentId = adoptStarted(m);
          if (agentId.isEmpty()) {
            ended(
                m,
                ClusterMigration.Status.FAILED,
                "the manager restarted while starting it; the source has no such migration",
                Optional.empty());
            return;
          }
        }
        try {
          MigrationRecord r = agents.heartbeat(url(m.source())).migration(agentId.get());
          unreachableSince = null;
          if (finish(m, r).isPresent()) {
            return;
          }
          ClusterMigration updated = withRecord(m, r);
          store.update(updated);
          metrics.progress(id, r);
        } catch (ApiException e) {
          ended(
              m,
              ClusterMigration.Status.FAILED,
              "the source agent lost the migration: " + e.getMessage(),
              m.record());
          return;
        } catch (RuntimeException e) {
          if (unreachableSince == null) {
            unreachableSince = clock.instant();
            log.warn("Cannot follow migration {} on {}: {}", id, m.source(), e.getMessage());
          }
          store.update(withReason(m, "source agent unreachable since " + unreachableSince));
        }
        Thread.sleep(FOLLOW_INTERVAL.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      followers.remove(id);
    }
  }

  /** After a restart mid-start: the source's migration of this VM begun after the request. */
  private Optional<String> adoptStarted(ClusterMigration m) {
    try {
      return agents.operations(url(m.source())).migrations().stream()
          .filter(r -> r.vm().equals(m.vm()))
          .filter(r -> !r.startedAt().isBefore(m.requestedAt()))
          .map(r -> r.id().value())
          .findFirst();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Records the end of a migration whose agent record is final; empty while it still runs. */
  private Optional<ClusterMigration> finish(ClusterMigration m, MigrationRecord r) {
    MigrationState s = r.state();
    if (!s.terminal()) {
      return Optional.empty();
    }
    ClusterMigration.Status status;
    String reason;
    switch (s) {
      case MigrationState.Completed c -> {
        status = ClusterMigration.Status.COMPLETED;
        reason = null;
        long epoch = r.epoch().orElse(-1L);
        if (epoch > 0) {
          leases.transfer(
              m.vm(),
              m.source(),
              m.destination(),
              epoch - 1,
              LeaseCause.MIGRATION_COMPLETED,
              m.id());
        }
      }
      case MigrationState.Aborted a -> {
        status = ClusterMigration.Status.ABORTED;
        reason = "aborted in " + a.phase() + ": " + a.reason();
      }
      case MigrationState.Failed f -> {
        status = ClusterMigration.Status.FAILED;
        reason = "failed in " + f.phase() + ": " + f.cause();
      }
      default -> {
        status = ClusterMigration.Status.FAILED;
        reason = "ended as " + s;
      }
    }
    return Optional.of(ended(m, status, reason, Optional.of(r)));
  }

  private ClusterMigration ended(
      ClusterMigration m,
      ClusterMigration.Status status,
      String reason,
      Optional<MigrationRecord> record) {
    ClusterMigration e =
        new ClusterMigration(
            m.id(),
            m.vm(),
            m.source(),
            m.destination(),
            status,
            Optional.ofNullable(reason),
            m.origin(),
            m.requestedAt(),
            m.startedAt(),
            Optional.of(clock.instant()),
            m.agentMigration(),
            record);
    store.update(e);
    events.record(
        "migration-" + status.text(),
        m.vm(),
        m.id() + " " + status.text() + (reason == null ? "" : ": " + reason));
    metrics.ended(e);
    for (Consumer<ClusterMigration> l : endListeners) {
      try {
        l.accept(e);
      } catch (RuntimeException ex) {
        log.warn("A listener of migration {} failed", m.id(), ex);
      }
    }
    wake.release();
    return e;
  }

  private static ClusterMigration withRecord(ClusterMigration m, MigrationRecord r) {
    return new ClusterMigration(
        m.id(),
        m.vm(),
        m.source(),
        m.destination(),
        m.status(),
        Optional.empty(),
        m.origin(),
        m.requestedAt(),
        m.startedAt(),
        m.endedAt(),
        m.agentMigration(),
        Optional.of(r));
  }

  private static ClusterMigration withReason(ClusterMigration m, String reason) {
    return new ClusterMigration(
        m.id(),
        m.vm(),
        m.source(),
        m.destination(),
        m.status(),
        Optional.of(reason),
        m.origin(),
        m.requestedAt(),
        m.startedAt(),
        m.endedAt(),
        m.agentMigration(),
        m.record());
  }

  private MigrationStore.Row row(String id) {
    return store
        .find(id)
        .orElseThrow(() -> new ManagerException(404, "no migration with id '" + id + "'"));
  }

  private String url(String host) {
    return hosts
        .find(host)
        .map(ClusterHost::url)
        .orElseThrow(() -> new ManagerException(404, "no host named '" + host + "'"));
  }

  @Override
  public void close() {
    closed = true;
    if (dispatcher != null) {
      dispatcher.interrupt();
    }
    followers.values().forEach(Thread::interrupt);
  }
}
