package dev.ferry.api;

import static dev.ferry.api.auth.Role.ADMIN;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.ferry.api.route.QueryParam;
import dev.ferry.api.route.Route;
import dev.ferry.api.route.RouteTable;
import dev.ferry.migration.MigrationRecord;
import dev.ferry.qemu.VmSpec;
import java.time.Duration;
import java.util.List;

/**
 * The agent's REST API, version 1: every route the agent serves and {@link AgentClient} calls,
 * declared once. The agent refuses to start unless it serves each of them.
 *
 * <p>Errors are {@link ApiError} bodies (see the {@link dev.ferry.api package} doc).
 */
public final class AgentRoutes {
  private static final RouteTable T = new RouteTable("agent");

  /** How long a stop waits for the guest to power off before QEMU is made to quit. */
  public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(30);

  /** The longest stop grace a request may ask for. */
  public static final Duration MAX_STOP_GRACE = Duration.ofMinutes(10);

  /** {@code ?force=true}: stop without asking the guest; delete a VM that runs. */
  public static final QueryParam<Boolean> FORCE = QueryParam.flag("force");

  /** {@code ?timeout=30s}: how long a stop waits for the guest. */
  public static final QueryParam<Duration> STOP_TIMEOUT =
      QueryParam.seconds("timeout", DEFAULT_STOP_GRACE, MAX_STOP_GRACE);

  /** {@code ?bytes=N}: the last N bytes of the console; 0 or less for all of it. */
  public static final QueryParam<Long> CONSOLE_BYTES =
      QueryParam.number("bytes", 0, Long.MIN_VALUE);

  /** {@code ?since=seq}: only events after this sequence number. */
  public static final QueryParam<Long> SINCE = QueryParam.number("since", 0, Long.MIN_VALUE);

  // ---------------------------------------------------------------- host and manager binding

  /** Host facts: CPU, memory, accelerator, QEMU, storage roots, bridges. */
  public static final Route<Void, HostFacts> HOST = T.get("/v1/host").replies(HostFacts.class);

  /** What the host's VMs consume now. */
  public static final Route<Void, HostLoadSample> HOST_LOAD =
      T.get("/v1/host/load").replies(HostLoadSample.class);

  /** The manager this agent is bound to, if any. */
  public static final Route<Void, ManagerBinding> MANAGER =
      T.get("/v1/manager").replies(ManagerBinding.class);

  /** Binds the agent to a manager, or unbinds it with an empty URL. */
  public static final Route<ManagerBinding, ManagerBinding> BIND_MANAGER =
      T.put("/v1/manager").access(ADMIN).body(ManagerBinding.class).replies(ManagerBinding.class);

  // ---------------------------------------------------------------- VMs

  /** All VMs on this host. */
  public static final Route<Void, List<VmInfo>> VMS =
      T.get("/v1/vms").replies(new TypeReference<List<VmInfo>>() {});

  /** Defines a VM (stopped). */
  public static final Route<VmCreateRequest, VmInfo> CREATE_VM =
      T.post("/v1/vms").body(VmCreateRequest.class).created(VmInfo.class);

  /** One VM. */
  public static final Route<Void, VmInfo> VM = T.get("/v1/vms/{name}").replies(VmInfo.class);

  /** Starts (or re-starts) a stopped VM. */
  public static final Route<Void, VmInfo> START =
      T.post("/v1/vms/{name}/start").replies(VmInfo.class);

  /** Stops a VM: the guest is asked to power off, then QEMU is made to quit after the grace. */
  public static final Route<Void, VmInfo> STOP =
      T.post("/v1/vms/{name}/stop").query(FORCE, STOP_TIMEOUT).replies(VmInfo.class);

  /** Pauses the vCPUs. */
  public static final Route<Void, VmInfo> PAUSE =
      T.post("/v1/vms/{name}/pause").replies(VmInfo.class);

  /** Resumes the vCPUs. */
  public static final Route<Void, VmInfo> RESUME =
      T.post("/v1/vms/{name}/resume").replies(VmInfo.class);

  /** Moves one disk of a running VM to another directory of this host's storage, live. */
  public static final Route<DiskMoveRequest, VmInfo> MOVE_DISK =
      T.post("/v1/vms/{name}/disks/{disk}/move").body(DiskMoveRequest.class).replies(VmInfo.class);

  /** Deletes a stopped VM's definition; {@code force} stops it first. */
  public static final Route<Void, Void> DELETE_VM =
      T.delete("/v1/vms/{name}").query(FORCE).noContent();

  /** The serial console log. */
  public static final Route<Void, String> CONSOLE =
      T.get("/v1/vms/{name}/console").query(CONSOLE_BYTES).text();

  // ---------------------------------------------------------------- migrations (source side)

  /** Starts a live migration; answers once preflight passed. */
  public static final Route<MigrationRequest, MigrationRecord> MIGRATE =
      T.post("/v1/vms/{name}/migrate").body(MigrationRequest.class).created(MigrationRecord.class);

  /** This host's outgoing migrations, newest first. */
  public static final Route<Void, List<MigrationRecord>> MIGRATIONS =
      T.get("/v1/migrations").replies(new TypeReference<List<MigrationRecord>>() {});

  /** One outgoing migration. */
  public static final Route<Void, MigrationRecord> MIGRATION =
      T.get("/v1/migrations/{id}").replies(MigrationRecord.class);

  /** Aborts a migration before handover; idempotent. */
  public static final Route<Void, MigrationRecord> ABORT_MIGRATION =
      T.post("/v1/migrations/{id}/abort").replies(MigrationRecord.class);

  /** Changes a running migration's bandwidth cap. */
  public static final Route<BandwidthChange, MigrationRecord> SET_BANDWIDTH =
      T.post("/v1/migrations/{id}/bandwidth")
          .body(BandwidthChange.class)
          .replies(MigrationRecord.class);

  /** Records the outage a client-side probe observed. */
  public static final Route<OutageReport, MigrationRecord> REPORT_OUTAGE =
      T.put("/v1/migrations/{id}/outage").body(OutageReport.class).replies(MigrationRecord.class);

  // ---------------------------------------------------------------- migrations (destination side)

  /** Could this host run the VM? (CPU model, machine type, bridges, disks, memory.) */
  public static final Route<VmSpec, IncomingCheck> CHECK_INCOMING =
      T.post("/v1/incoming/check").access(ADMIN).body(VmSpec.class).replies(IncomingCheck.class);

  /** Opens a one-shot TCP sink for a bandwidth probe. */
  public static final Route<Void, BandwidthSample> BANDWIDTH_SINK =
      T.post("/v1/incoming/bandwidth").access(ADMIN).replies(BandwidthSample.class);

  /** Prepares an incoming QEMU and answers where to send the migration stream. */
  public static final Route<IncomingRequest, IncomingOffer> PREPARE_INCOMING =
      T.post("/v1/incoming").access(ADMIN).body(IncomingRequest.class).created(IncomingOffer.class);

  /** The state of an incoming migration. */
  public static final Route<Void, IncomingStatus> INCOMING =
      T.get("/v1/incoming/{id}").replies(IncomingStatus.class);

  /** The source is still there; resets the destination's watchdog. */
  public static final Route<Void, IncomingStatus> KEEPALIVE =
      T.post("/v1/incoming/{id}/keepalive").access(ADMIN).replies(IncomingStatus.class);

  /** The lease moved to this host at {@code epoch}: the destination takes the VM over. */
  public static final Route<HandoverRequest, IncomingStatus> HANDOVER =
      T.post("/v1/incoming/{id}/handover")
          .access(ADMIN)
          .body(HandoverRequest.class)
          .replies(IncomingStatus.class);

  /**
   * A post-copy stream broke after the handover: the destination pauses its end if it has not
   * noticed, listens again, and answers where the source resumes the stream.
   */
  public static final Route<Void, IncomingOffer> RECOVER_POSTCOPY =
      T.post("/v1/incoming/{id}/recover").access(ADMIN).replies(IncomingOffer.class);

  /** Aborts an incoming migration and removes what it prepared. */
  public static final Route<Void, IncomingStatus> ABORT_INCOMING =
      T.delete("/v1/incoming/{id}").access(ADMIN).replies(IncomingStatus.class);

  // ---------------------------------------------------------------- events

  /** Server-sent {@link AgentEvent}s after {@code ?since=seq}, then as they happen. */
  public static final Route<Void, AgentEvent> EVENTS =
      T.get("/v1/events").query(SINCE).events(AgentEvent.class);

  private AgentRoutes() {}

  /** Every route above, in declaration order. */
  public static RouteTable table() {
    return T;
  }
}
