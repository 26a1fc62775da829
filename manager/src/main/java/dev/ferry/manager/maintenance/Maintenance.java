package dev.ferry.manager.maintenance;

import dev.ferry.api.ClusterHost;
import dev.ferry.api.ClusterMigration;
import dev.ferry.api.MaintenanceStatus;
import dev.ferry.manager.ManagerException;
import dev.ferry.manager.queue.MigrationQueue;
import dev.ferry.manager.store.EvacuationStore;
import dev.ferry.manager.store.EventLog;
import dev.ferry.manager.store.HostStore;
import dev.ferry.manager.store.VmStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Maintenance mode. Entering it makes the host unschedulable at once, plans where each of its VMs
 * goes (placement-aware, largest first so the parallel evacuation ends soonest), queues the moves
 * (the queue's limits decide the parallelism) and records one line per VM. When the last move ends,
 * the host is {@code in-maintenance} if it is empty; otherwise it stays {@code entering} and the
 * lines say exactly which VMs did not move and why. No VM is ever stopped.
 */
public final class Maintenance {
  private final HostStore hosts;
  private final VmStore vms;
  private final EvacuationStore evacuations;
  private final EventLog events;
  private final MigrationQueue queue;
  private final EvacuationPlanner planner;
  private final ReentrantLock lock = new ReentrantLock();

  public Maintenance(
      HostStore hosts,
      VmStore vms,
      EvacuationStore evacuations,
      EventLog events,
      MigrationQueue queue,
      EvacuationPlanner planner) {
    this.hosts = hosts;
    this.vms = vms;
    this.evacuations = evacuations;
    this.events = events;
    this.queue = queue;
    this.planner = planner;
    queue.onEnd(this::migrationEnded);
  }

  /** Puts {@code host} into maintenance and starts evacuating it. */
  public MaintenanceStatus enter(String host) {
    lock.lock();
    try {
      ClusterHost h = host(host);
      if (h.maintenance() == ClusterHost.Maintenance.IN_MAINTENANCE) {
        return status(host);
      }
      hosts.setMaintenance(host, ClusterHost.Maintenance.ENTERING);
      events.record("maintenance-entering", host, "evacuation planned");
      EvacuationPlanner.Plan plan = planner.plan(host);
      List<MaintenanceStatus.Item> items = new ArrayList<>();
      for (EvacuationPlanner.Stuck s : plan.stuck()) {
        items.add(
            new MaintenanceStatus.Item(
                s.vm(), Optional.empty(), Optional.empty(), "stuck", Optional.of(s.reason())));
      }
      for (EvacuationPlanner.Move m : plan.moves()) {
        items.add(
            new MaintenanceStatus.Item(
                m.vm(), Optional.of(m.to()), Optional.empty(), "planned", Optional.empty()));
      }
      evacuations.replace(host, items);
      for (EvacuationPlanner.Move m : plan.moves()) {
        MaintenanceStatus.Item item;
        try {
          ClusterMigration cm =
              queue.submit(m.vm(), m.to(), Optional.empty(), "maintenance of " + host);
          item =
              new MaintenanceStatus.Item(
                  m.vm(), Optional.of(m.to()), Optional.of(cm.id()), "queued", Optional.empty());
        } catch (RuntimeException e) {
          // Whatever goes wrong with one VM is that VM's line; the others are still queued.
          item =
              new MaintenanceStatus.Item(
                  m.vm(),
                  Optional.of(m.to()),
                  Optional.empty(),
                  "stuck",
                  Optional.of(e.getMessage()));
        }
        evacuations.update(host, item);
      }
      settle(host);
      return status(host);
    } finally {
      lock.unlock();
    }
  }

  /** Makes the host schedulable again; queued evacuation moves are cancelled. */
  public ClusterHost exit(String host) {
    lock.lock();
    try {
      host(host);
      for (MaintenanceStatus.Item i : evacuations.of(host)) {
        i.migration()
            .flatMap(queue::get)
            .filter(m -> m.status() == ClusterMigration.Status.QUEUED)
            .ifPresent(m -> queue.abort(m.id()));
      }
      hosts.setMaintenance(host, ClusterHost.Maintenance.NONE);
      events.record("maintenance-exited", host, "schedulable again");
      queue.wake();
      return host(host);
    } finally {
      lock.unlock();
    }
  }

  public MaintenanceStatus status(String host) {
    ClusterHost h = host(host);
    List<MaintenanceStatus.Item> items = new ArrayList<>();
    for (MaintenanceStatus.Item i : evacuations.of(host)) {
      items.add(refresh(i));
    }
    return new MaintenanceStatus(host, h.maintenance(), items);
  }

  private MaintenanceStatus.Item refresh(MaintenanceStatus.Item i) {
    if (i.migration().isEmpty()) {
      return i;
    }
    Optional<ClusterMigration> m = queue.get(i.migration().get());
    if (m.isEmpty()) {
      return i;
    }
    ClusterMigration cm = m.get();
    return new MaintenanceStatus.Item(
        i.vm(),
        i.destination(),
        i.migration(),
        cm.status().text(),
        cm.status() == ClusterMigration.Status.COMPLETED ? Optional.empty() : cm.reason());
  }

  private void migrationEnded(ClusterMigration m) {
    if (!m.origin().startsWith("maintenance of ")) {
      return;
    }
    String host = m.origin().substring("maintenance of ".length());
    lock.lock();
    try {
      for (MaintenanceStatus.Item i : evacuations.of(host)) {
        if (i.migration().equals(Optional.of(m.id()))) {
          evacuations.update(host, refresh(i));
        }
      }
      settle(host);
    } finally {
      lock.unlock();
    }
  }

  /** Once no move is pending: in maintenance if the host holds no VM, else report what stayed. */
  private void settle(String host) {
    Optional<ClusterHost> h = hosts.find(host);
    if (h.isEmpty() || h.get().maintenance() != ClusterHost.Maintenance.ENTERING) {
      return;
    }
    List<MaintenanceStatus.Item> items = status(host).vms();
    boolean pending =
        items.stream().anyMatch(i -> i.status().equals("queued") || i.status().equals("running"));
    if (pending) {
      return;
    }
    List<String> left =
        vms.all().stream().filter(r -> r.vm().host().equals(host)).map(r -> r.vm().name()).toList();
    if (left.isEmpty()) {
      hosts.setMaintenance(host, ClusterHost.Maintenance.IN_MAINTENANCE);
      events.record("maintenance-entered", host, "host is empty and in maintenance");
    } else {
      events.record(
          "maintenance-incomplete",
          host,
          left.size() + " VM(s) could not move: " + String.join(", ", left));
    }
  }

  private ClusterHost host(String name) {
    return hosts
        .find(name)
        .orElseThrow(() -> new ManagerException(404, "no host named '" + name + "'"));
  }
}
