package dev.ferry.manager;

import dev.ferry.api.auth.CallerToken;
import dev.ferry.api.auth.ServerSecurity;
import dev.ferry.manager.balancing.BalanceService;
import dev.ferry.manager.hosts.AgentPool;
import dev.ferry.manager.hosts.HostMonitor;
import dev.ferry.manager.hosts.HostService;
import dev.ferry.manager.hosts.HostWatch;
import dev.ferry.manager.http.ManagerApi;
import dev.ferry.manager.leases.Leases;
import dev.ferry.manager.maintenance.Maintenance;
import dev.ferry.manager.metrics.ManagerMetrics;
import dev.ferry.manager.placement.ClusterPlacement;
import dev.ferry.manager.queue.MigrationQueue;
import dev.ferry.manager.store.Database;
import dev.ferry.manager.store.EvacuationStore;
import dev.ferry.manager.store.EventLog;
import dev.ferry.manager.store.HostStore;
import dev.ferry.manager.store.MigrationStore;
import dev.ferry.manager.store.SettingsStore;
import dev.ferry.manager.store.VmStore;
import dev.ferry.manager.vms.ClusterVms;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manager: the cluster's inventory (hosts, VMs and their leases, migrations, events), the
 * migration queue, maintenance mode, placement and balancing, served over {@code /v1} and as a web
 * console. All state is in the database, so a restarted manager carries on where it stopped.
 */
public final class Manager implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Manager.class);

  private final ManagerConfig config;
  private final ScheduledExecutorService scheduler;
  private final AgentPool agents;
  private final HostMonitor monitor;
  private final HostWatch watch;
  private final MigrationQueue queue;
  private final ManagerApi api;
  private final Operations ops;
  private final BalanceService balance;

  private Manager(ManagerConfig config, ServerSecurity security) {
    this.config = config;
    Clock clock = Clock.systemUTC();
    Database db = Database.open(config.database());
    HostStore hosts = new HostStore(db);
    VmStore vms = new VmStore(db);
    MigrationStore migrations = new MigrationStore(db);
    SettingsStore settings = new SettingsStore(db);
    EventLog events = new EventLog(db, clock);
    Leases leases = new Leases(vms, events, clock);
    this.agents = new AgentPool(Duration.ofSeconds(3));
    this.scheduler =
        Executors.newScheduledThreadPool(
            1, Thread.ofPlatform().name("manager-timer-", 0).factory());
    this.monitor = new HostMonitor(hosts, vms, leases, migrations, events, agents, clock);
    this.watch = new HostWatch(hosts, monitor::beat, Duration.ofSeconds(2));
    ManagerMetrics metrics = new ManagerMetrics(() -> queue().active());
    monitor.onBeat(metrics::host);
    ClusterPlacement placement = new ClusterPlacement(hosts, vms, migrations, monitor, clock);
    Operations[] self = new Operations[1];
    this.queue =
        new MigrationQueue(
            migrations, vms, leases, hosts, events, agents, clock, () -> self[0].limits(), metrics);
    BalanceService balance = new BalanceService(placement, queue, settings, events, clock);
    this.balance = balance;
    Maintenance maintenance =
        new Maintenance(hosts, vms, new EvacuationStore(db), events, queue, placement);
    this.ops =
        new Operations(
            new HostService(hosts, vms, events, agents, monitor, clock, config.agentFacingUrl()),
            new ClusterVms(vms, leases, hosts, migrations, events, agents, placement, clock),
            queue,
            maintenance,
            placement,
            balance,
            settings,
            events,
            metrics);
    self[0] = ops;
    this.api = new ManagerApi(config.listen(), config.socket(), ops, security);
  }

  private MigrationQueue queue() {
    return queue;
  }

  /** Opens the inventory, resumes following running migrations, and starts serving. */
  public static Manager start(ManagerConfig config) {
    return start(config, ServerSecurity.in(config.securityDir()));
  }

  /**
   * As {@link #start(ManagerConfig)}, with the tokens it accepts and presents given: over TCP every
   * caller, agents included, needs a token of {@code security}.
   */
  public static Manager start(ManagerConfig config, ServerSecurity security) {
    CallerToken.use(security.callerToken());
    Manager m = new Manager(config, security);
    m.queue.start();
    m.monitor.start(m.scheduler, config.heartbeat());
    m.watch.start(m.scheduler);
    m.balance.start(m.scheduler, config.balanceInterval());
    m.api.start();
    log.info(
        "Manager ready: tcp={} socket={} agents reach it at {}",
        config.listen().map(Object::toString).orElse("-"),
        config.socket().map(Object::toString).orElse("-"),
        config.agentFacingUrl());
    return m;
  }

  public Operations operations() {
    return ops;
  }

  @Override
  public void close() {
    api.close();
    scheduler.shutdownNow();
    watch.close();
    queue.close();
    agents.close();
    log.info("Manager stopped; migrations under way continue on their agents");
  }
}
