package dev.ferry.api;

import static dev.ferry.api.ManagerRoutes.ABORT_MIGRATION;
import static dev.ferry.api.ManagerRoutes.ACTIVATE_LEASE;
import static dev.ferry.api.ManagerRoutes.ADD_HOST;
import static dev.ferry.api.ManagerRoutes.APPLY_BALANCE;
import static dev.ferry.api.ManagerRoutes.BALANCE;
import static dev.ferry.api.ManagerRoutes.BALANCE_SETTINGS;
import static dev.ferry.api.ManagerRoutes.CREATE_VM;
import static dev.ferry.api.ManagerRoutes.ENTER_MAINTENANCE;
import static dev.ferry.api.ManagerRoutes.EXIT_MAINTENANCE;
import static dev.ferry.api.ManagerRoutes.HOST;
import static dev.ferry.api.ManagerRoutes.HOSTS;
import static dev.ferry.api.ManagerRoutes.LEASE;
import static dev.ferry.api.ManagerRoutes.LIMITS;
import static dev.ferry.api.ManagerRoutes.MAINTENANCE;
import static dev.ferry.api.ManagerRoutes.METRICS;
import static dev.ferry.api.ManagerRoutes.MIGRATE;
import static dev.ferry.api.ManagerRoutes.MIGRATION;
import static dev.ferry.api.ManagerRoutes.MIGRATIONS;
import static dev.ferry.api.ManagerRoutes.RECLAIM_LEASE;
import static dev.ferry.api.ManagerRoutes.REMOVE_HOST;
import static dev.ferry.api.ManagerRoutes.RETURN_LEASE;
import static dev.ferry.api.ManagerRoutes.SET_BANDWIDTH;
import static dev.ferry.api.ManagerRoutes.SET_LIMITS;
import static dev.ferry.api.ManagerRoutes.TRANSFER_LEASE;
import static dev.ferry.api.ManagerRoutes.VM;
import static dev.ferry.api.ManagerRoutes.VMS;

import dev.ferry.common.DataRate;
import java.time.Duration;
import java.util.List;

/**
 * A client for the manager's {@code /v1} API, over TCP or a unix socket. Thread-safe; close it to
 * release its connections.
 */
public final class ManagerClient extends RestClient {
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  public ManagerClient(AgentEndpoint endpoint) {
    this(endpoint, DEFAULT_TIMEOUT);
  }

  public ManagerClient(AgentEndpoint endpoint, Duration timeout) {
    super(endpoint, timeout, "manager");
  }

  @Override
  protected RuntimeException unreachable(Throwable cause) {
    return new ManagerUnreachableException(endpoint, cause);
  }

  // ---------------------------------------------------------------- hosts

  public List<ClusterHost> hosts() {
    return call(HOSTS.at());
  }

  public ClusterHost host(String name) {
    return call(HOST.at(name));
  }

  /** Adds a host by its agent's URL; the manager binds the agent to itself. */
  public ClusterHost addHost(String agentUrl) {
    return call(ADD_HOST.at(), new AddHostRequest(agentUrl));
  }

  /** Removes a host that runs no VM (or is in maintenance); the agent is unbound. */
  public void removeHost(String name) {
    call(REMOVE_HOST.at(name));
  }

  /** Puts a host into maintenance: evacuation starts; returns at once with the plan. */
  public MaintenanceStatus enterMaintenance(String name) {
    return call(ENTER_MAINTENANCE.at(name));
  }

  public MaintenanceStatus maintenance(String name) {
    return call(MAINTENANCE.at(name));
  }

  /** Makes a host schedulable again (also stops an evacuation under way from queuing more). */
  public ClusterHost exitMaintenance(String name) {
    return call(EXIT_MAINTENANCE.at(name));
  }

  // ---------------------------------------------------------------- VMs and leases

  public List<ClusterVm> vms() {
    return call(VMS.at());
  }

  public ClusterVm vm(String name) {
    return call(VM.at(name));
  }

  /** Creates a VM on the host placement picks (or the pinned one) and grants it the lease. */
  public ClusterVm createVm(ClusterVmCreate request) {
    return call(CREATE_VM.at(), request);
  }

  public Lease lease(String vm) {
    return call(LEASE.at(vm));
  }

  /** Moves a lease at handover (compare-and-set; idempotent). */
  public Lease transferLease(String vm, LeaseTransfer transfer) {
    return call(TRANSFER_LEASE.at(vm), transfer);
  }

  /** Settles a pending lease before the destination resumes the guest. */
  public Lease activateLease(String vm, LeaseActivation activation) {
    return call(ACTIVATE_LEASE.at(vm), activation);
  }

  /** Gives back a lease the destination activated but could not use. */
  public Lease returnLease(String vm, LeaseTransfer transfer) {
    return call(RETURN_LEASE.at(vm), transfer);
  }

  /** Takes back a pending lease after a failed handover. */
  public Lease reclaimLease(String vm, LeaseTransfer transfer) {
    return call(RECLAIM_LEASE.at(vm), transfer);
  }

  // ---------------------------------------------------------------- migrations

  /** Queues a live migration; it starts when the limits allow. */
  public ClusterMigration migrate(ClusterMigrationRequest request) {
    return call(MIGRATE.at(), request);
  }

  public List<ClusterMigration> migrations() {
    return call(MIGRATIONS.at());
  }

  public ClusterMigration migration(String id) {
    return call(MIGRATION.at(id));
  }

  /** Cancels a queued migration or aborts a running one before handover. */
  public ClusterMigration abortMigration(String id) {
    return call(ABORT_MIGRATION.at(id));
  }

  /** Changes the bandwidth cap of a running migration. */
  public ClusterMigration setBandwidth(String id, DataRate rate) {
    return call(SET_BANDWIDTH.at(id), new BandwidthChange(rate));
  }

  // ---------------------------------------------------------------- balancing

  public BalanceView balance() {
    return call(BALANCE.at());
  }

  public BalanceView setBalanceSettings(BalanceSettingsView settings) {
    return call(BALANCE_SETTINGS.at(), settings);
  }

  /** Queues the recommended moves of the named VMs (all of them if none is named). */
  public List<ClusterMigration> applyBalance(List<String> vms) {
    return call(APPLY_BALANCE.at(), new BalanceApply(vms));
  }

  /** The Prometheus text exposition of {@code /metrics}. */
  public String metrics() {
    return call(METRICS.at());
  }

  public QueueLimits limits() {
    return call(LIMITS.at());
  }

  public QueueLimits setLimits(QueueLimits limits) {
    return call(SET_LIMITS.at(), limits);
  }
}
