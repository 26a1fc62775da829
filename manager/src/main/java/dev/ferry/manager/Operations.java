package dev.ferry.manager;

import dev.ferry.api.ClusterMigration;
import dev.ferry.api.ClusterMigrationRequest;
import dev.ferry.api.QueueLimits;
import dev.ferry.manager.balancing.BalanceService;
import dev.ferry.manager.hosts.HostService;
import dev.ferry.manager.maintenance.Maintenance;
import dev.ferry.manager.metrics.ManagerMetrics;
import dev.ferry.manager.placement.ClusterPlacement;
import dev.ferry.manager.queue.MigrationQueue;
import dev.ferry.manager.store.EventLog;
import dev.ferry.manager.store.SettingsStore;
import dev.ferry.manager.vms.ClusterVms;

/**
 * What the manager can be asked to do, one component per concern; the HTTP API and the web console
 * call these.
 */
public record Operations(
    HostService hosts,
    ClusterVms vms,
    MigrationQueue queue,
    Maintenance maintenance,
    ClusterPlacement placement,
    BalanceService balance,
    SettingsStore settings,
    EventLog events,
    ManagerMetrics metrics) {

  static final String LIMITS = "queue.limits";

  /** Queues a migration; placement chooses the destination when the request names none. */
  public ClusterMigration migrate(ClusterMigrationRequest request) {
    if (request.vm() == null || request.vm().isBlank()) {
      throw new ManagerException(400, "name the VM to migrate");
    }
    String to = request.to().orElseGet(() -> placement.destinationFor(request.vm()));
    return queue.submit(request.vm(), to, request.settings(), "operator");
  }

  public QueueLimits limits() {
    return settings.get(LIMITS, QueueLimits.class).orElse(QueueLimits.DEFAULT);
  }

  public QueueLimits setLimits(QueueLimits limits) {
    settings.put(LIMITS, limits);
    events.record(
        "queue-limits",
        "cluster",
        "outgoing per host "
            + limits.outgoingPerHost()
            + ", incoming per host "
            + limits.incomingPerHost()
            + ", cluster "
            + limits.cluster());
    queue.wake();
    return limits;
  }
}
