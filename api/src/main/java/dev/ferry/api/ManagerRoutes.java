package dev.ferry.api;

import static dev.ferry.api.auth.Role.ADMIN;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.ferry.api.route.Route;
import dev.ferry.api.route.RouteTable;
import java.util.List;

/**
 * The manager's REST API, version 1 (and {@code /metrics} for Prometheus): every route the manager
 * serves and {@link ManagerClient} calls, declared once. The manager refuses to start unless it
 * serves each of them. The web console, served at {@code /}, calls the same routes.
 *
 * <p>Errors are {@link ApiError} bodies (see the {@link dev.ferry.api package} doc).
 */
public final class ManagerRoutes {
  private static final RouteTable T = new RouteTable("manager");

  // ---------------------------------------------------------------- hosts and maintenance

  /** The cluster's hosts. */
  public static final Route<Void, List<ClusterHost>> HOSTS =
      T.get("/v1/hosts").replies(new TypeReference<List<ClusterHost>>() {});

  /** Adds a host by its agent's URL; the manager binds the agent to itself. */
  public static final Route<AddHostRequest, ClusterHost> ADD_HOST =
      T.post("/v1/hosts").access(ADMIN).body(AddHostRequest.class).created(ClusterHost.class);

  /** One host. */
  public static final Route<Void, ClusterHost> HOST =
      T.get("/v1/hosts/{name}").replies(ClusterHost.class);

  /** Removes a host that runs no VM (or is in maintenance); the agent is unbound. */
  public static final Route<Void, Void> REMOVE_HOST =
      T.delete("/v1/hosts/{name}").access(ADMIN).noContent();

  /** Puts a host into maintenance: its VMs are evacuated; answers at once with the plan. */
  public static final Route<Void, MaintenanceStatus> ENTER_MAINTENANCE =
      T.post("/v1/hosts/{name}/maintenance").replies(MaintenanceStatus.class);

  /** How an evacuation is going. */
  public static final Route<Void, MaintenanceStatus> MAINTENANCE =
      T.get("/v1/hosts/{name}/maintenance").replies(MaintenanceStatus.class);

  /** Makes a host schedulable again. */
  public static final Route<Void, ClusterHost> EXIT_MAINTENANCE =
      T.delete("/v1/hosts/{name}/maintenance").replies(ClusterHost.class);

  // ---------------------------------------------------------------- VMs and leases

  /** The cluster's VMs. */
  public static final Route<Void, List<ClusterVm>> VMS =
      T.get("/v1/vms").replies(new TypeReference<List<ClusterVm>>() {});

  /** Creates a VM on the host placement picks (or the pinned one) and grants it the lease. */
  public static final Route<ClusterVmCreate, ClusterVm> CREATE_VM =
      T.post("/v1/vms").body(ClusterVmCreate.class).created(ClusterVm.class);

  /** One VM. */
  public static final Route<Void, ClusterVm> VM = T.get("/v1/vms/{name}").replies(ClusterVm.class);

  /** Which host may run a VM, at which epoch. */
  public static final Route<Void, Lease> LEASE = T.get("/v1/leases/{vm}").replies(Lease.class);

  /** Moves a lease at handover (compare-and-set; idempotent). */
  public static final Route<LeaseTransfer, Lease> TRANSFER_LEASE =
      T.post("/v1/leases/{vm}/transfer")
          .access(ADMIN)
          .body(LeaseTransfer.class)
          .replies(Lease.class);

  /** Settles a pending lease before its holder resumes the guest (compare-and-set; idempotent). */
  public static final Route<LeaseActivation, Lease> ACTIVATE_LEASE =
      T.post("/v1/leases/{vm}/activate")
          .access(ADMIN)
          .body(LeaseActivation.class)
          .replies(Lease.class);

  /** Takes back a pending lease after a failed handover (compare-and-set; idempotent). */
  public static final Route<LeaseTransfer, Lease> RECLAIM_LEASE =
      T.post("/v1/leases/{vm}/reclaim")
          .access(ADMIN)
          .body(LeaseTransfer.class)
          .replies(Lease.class);

  /**
   * The destination gives back a lease it activated but could not use (its QEMU failed at {@code
   * cont}): {@code from} = the destination at {@code epoch}, {@code to} = the source.
   */
  public static final Route<LeaseTransfer, Lease> RETURN_LEASE =
      T.post("/v1/leases/{vm}/return").access(ADMIN).body(LeaseTransfer.class).replies(Lease.class);

  // ---------------------------------------------------------------- migrations

  /** Queued, running and recent migrations. */
  public static final Route<Void, List<ClusterMigration>> MIGRATIONS =
      T.get("/v1/migrations").replies(new TypeReference<List<ClusterMigration>>() {});

  /** Queues a live migration; it starts when the limits allow. */
  public static final Route<ClusterMigrationRequest, ClusterMigration> MIGRATE =
      T.post("/v1/migrations").body(ClusterMigrationRequest.class).created(ClusterMigration.class);

  /** One migration. */
  public static final Route<Void, ClusterMigration> MIGRATION =
      T.get("/v1/migrations/{id}").replies(ClusterMigration.class);

  /** Cancels a queued migration or aborts a running one before handover. */
  public static final Route<Void, ClusterMigration> ABORT_MIGRATION =
      T.post("/v1/migrations/{id}/abort").replies(ClusterMigration.class);

  /** Changes a running migration's bandwidth cap. */
  public static final Route<BandwidthChange, ClusterMigration> SET_BANDWIDTH =
      T.post("/v1/migrations/{id}/bandwidth")
          .body(BandwidthChange.class)
          .replies(ClusterMigration.class);

  // ---------------------------------------------------------------- balancing and limits

  /** The balancer's settings, its last pass and its recommendations. */
  public static final Route<Void, BalanceView> BALANCE =
      T.get("/v1/balance").replies(BalanceView.class);

  /** Changes the balancer's settings. */
  public static final Route<BalanceSettingsView, BalanceView> BALANCE_SETTINGS =
      T.put("/v1/balance/settings").body(BalanceSettingsView.class).replies(BalanceView.class);

  /** Queues the recommended moves of the named VMs (all of them if none is named). */
  public static final Route<BalanceApply, List<ClusterMigration>> APPLY_BALANCE =
      T.post("/v1/balance/apply")
          .body(BalanceApply.class)
          .replies(new TypeReference<List<ClusterMigration>>() {});

  /** How many migrations may run at once. */
  public static final Route<Void, QueueLimits> LIMITS =
      T.get("/v1/queue/limits").replies(QueueLimits.class);

  /** Changes the queue's limits. */
  public static final Route<QueueLimits, QueueLimits> SET_LIMITS =
      T.put("/v1/queue/limits").body(QueueLimits.class).replies(QueueLimits.class);

  // ---------------------------------------------------------------- observability

  /**
   * The latest cluster events, newest first (for the console; the element type is the manager's own
   * event record).
   */
  public static final Route<Void, List<?>> EVENTS =
      T.get("/v1/events").replies(new TypeReference<List<?>>() {});

  /** The Prometheus text exposition. */
  public static final Route<Void, String> METRICS =
      T.get("/metrics").text("text/plain; version=0.0.4; charset=utf-8");

  private ManagerRoutes() {}

  /** Every route above, in declaration order. */
  public static RouteTable table() {
    return T;
  }
}
