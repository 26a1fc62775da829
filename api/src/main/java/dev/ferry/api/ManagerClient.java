package dev.ferry.api;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.ferry.common.DataRate;
import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.http.HttpMethod;

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
    return call(HttpMethod.GET, "/v1/hosts", null, new TypeReference<List<ClusterHost>>() {});
  }

  public ClusterHost host(String name) {
    return get("/v1/hosts/" + enc(name), ClusterHost.class);
  }

  /** Adds a host by its agent's URL; the manager binds the agent to itself. */
  public ClusterHost addHost(String agentUrl) {
    return call(HttpMethod.POST, "/v1/hosts", new AddHostRequest(agentUrl), ClusterHost.class);
  }

  /** Removes a host that runs no VM (or is in maintenance); the agent is unbound. */
  public void removeHost(String name) {
    call(HttpMethod.DELETE, "/v1/hosts/" + enc(name), null, Void.class);
  }

  /** Puts a host into maintenance: evacuation starts; returns at once with the plan. */
  public MaintenanceStatus enterMaintenance(String name) {
    return post("/v1/hosts/" + enc(name) + "/maintenance", MaintenanceStatus.class);
  }

  public MaintenanceStatus maintenance(String name) {
    return get("/v1/hosts/" + enc(name) + "/maintenance", MaintenanceStatus.class);
  }

  /** Makes a host schedulable again (also stops an evacuation under way from queuing more). */
  public ClusterHost exitMaintenance(String name) {
    return call(
        HttpMethod.DELETE, "/v1/hosts/" + enc(name) + "/maintenance", null, ClusterHost.class);
  }

  // ---------------------------------------------------------------- VMs and leases

  public List<ClusterVm> vms() {
    return call(HttpMethod.GET, "/v1/vms", null, new TypeReference<List<ClusterVm>>() {});
  }

  public ClusterVm vm(String name) {
    return get("/v1/vms/" + enc(name), ClusterVm.class);
  }

  /** Creates a VM on the host placement picks (or the pinned one) and grants it the lease. */
  public ClusterVm createVm(ClusterVmCreate request) {
    return call(HttpMethod.POST, "/v1/vms", request, ClusterVm.class);
  }

  public Lease lease(String vm) {
    return get("/v1/leases/" + enc(vm), Lease.class);
  }

  /** Moves a lease at handover (compare-and-set; idempotent). */
  public Lease transferLease(String vm, LeaseTransfer transfer) {
    return call(HttpMethod.POST, "/v1/leases/" + enc(vm) + "/transfer", transfer, Lease.class);
  }

  // ---------------------------------------------------------------- migrations

  /** Queues a live migration; it starts when the limits allow. */
  public ClusterMigration migrate(ClusterMigrationRequest request) {
    return call(HttpMethod.POST, "/v1/migrations", request, ClusterMigration.class);
  }

  public List<ClusterMigration> migrations() {
    return call(
        HttpMethod.GET, "/v1/migrations", null, new TypeReference<List<ClusterMigration>>() {});
  }

  public ClusterMigration migration(String id) {
    return get("/v1/migrations/" + enc(id), ClusterMigration.class);
  }

  /** Cancels a queued migration or aborts a running one before handover. */
  public ClusterMigration abortMigration(String id) {
    return post("/v1/migrations/" + enc(id) + "/abort", ClusterMigration.class);
  }

  /** Changes the bandwidth cap of a running migration. */
  public ClusterMigration setBandwidth(String id, DataRate rate) {
    return call(
        HttpMethod.POST,
        "/v1/migrations/" + enc(id) + "/bandwidth",
        new BandwidthChange(rate),
        ClusterMigration.class);
  }

  // ---------------------------------------------------------------- balancing

  public BalanceView balance() {
    return get("/v1/balance", BalanceView.class);
  }

  public BalanceView setBalanceSettings(BalanceSettingsView settings) {
    return call(HttpMethod.PUT, "/v1/balance/settings", settings, BalanceView.class);
  }

  /** Queues the recommended moves of the named VMs (all of them if none is named). */
  public List<ClusterMigration> applyBalance(List<String> vms) {
    return call(
        HttpMethod.POST,
        "/v1/balance/apply",
        new BalanceApply(vms),
        new TypeReference<List<ClusterMigration>>() {});
  }

  /** The Prometheus text exposition of {@code /metrics}. */
  public String metrics() {
    return send(request(HttpMethod.GET, "/metrics")).getContentAsString();
  }

  public QueueLimits limits() {
    return get("/v1/queue/limits", QueueLimits.class);
  }

  public QueueLimits setLimits(QueueLimits limits) {
    return call(HttpMethod.PUT, "/v1/queue/limits", limits, QueueLimits.class);
  }
}
