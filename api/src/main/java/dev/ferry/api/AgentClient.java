package dev.ferry.api;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpMethod;

/**
 * A client for one agent's {@code /v1} API, over TCP or a unix socket. Thread-safe; one instance
 * per agent; close it to release its connections.
 */
public final class AgentClient extends RestClient {
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(90);

  public AgentClient(AgentEndpoint endpoint) {
    this(endpoint, DEFAULT_TIMEOUT);
  }

  /**
   * @param timeout the longest a single request may take; starting or stopping a VM may take tens
   *     of seconds, so keep it generous
   */
  public AgentClient(AgentEndpoint endpoint, Duration timeout) {
    super(endpoint, timeout, "agent");
  }

  @Override
  protected RuntimeException unreachable(Throwable cause) {
    return new AgentUnreachableException(endpoint, cause);
  }

  public HostFacts host() {
    return get("/v1/host", HostFacts.class);
  }

  /** What the host's VMs consume now (CPU time, resident memory). */
  public HostLoadSample load() {
    return get("/v1/host/load", HostLoadSample.class);
  }

  /** Binds the agent to a manager (or unbinds it with an empty URL). */
  public ManagerBinding bindManager(ManagerBinding binding) {
    return call(HttpMethod.PUT, "/v1/manager", binding, ManagerBinding.class);
  }

  public ManagerBinding manager() {
    return get("/v1/manager", ManagerBinding.class);
  }

  public List<VmInfo> listVms() {
    return call(HttpMethod.GET, "/v1/vms", null, new TypeReference<List<VmInfo>>() {});
  }

  public VmInfo vm(String name) {
    return get("/v1/vms/" + enc(name), VmInfo.class);
  }

  public VmInfo createVm(VmCreateRequest request) {
    return call(HttpMethod.POST, "/v1/vms", request, VmInfo.class);
  }

  public VmInfo start(String name) {
    return post("/v1/vms/" + enc(name) + "/start", VmInfo.class);
  }

  /**
   * Stops a VM: asks the guest to power off, and after {@code grace} forces QEMU to quit. With
   * {@code force} it does not ask the guest.
   */
  public VmInfo stop(String name, boolean force, Duration grace) {
    return post(
        "/v1/vms/" + enc(name) + "/stop?force=" + force + "&timeout=" + grace.toSeconds() + "s",
        VmInfo.class);
  }

  /** Moves a running VM's disk to another directory of the host's storage, live. */
  public VmInfo moveDisk(String name, String disk, DiskMoveRequest request) {
    return call(
        HttpMethod.POST,
        "/v1/vms/" + enc(name) + "/disks/" + enc(disk) + "/move",
        request,
        VmInfo.class);
  }

  public VmInfo pause(String name) {
    return post("/v1/vms/" + enc(name) + "/pause", VmInfo.class);
  }

  public VmInfo resume(String name) {
    return post("/v1/vms/" + enc(name) + "/resume", VmInfo.class);
  }

  /** Deletes a VM's definition; with {@code force} a running VM is stopped first. */
  public void delete(String name, boolean force) {
    call(HttpMethod.DELETE, "/v1/vms/" + enc(name) + "?force=" + force, null, Void.class);
  }

  // ---------------------------------------------------------------- migrations (source side)

  /** Starts a live migration; returns once preflight passed (4xx with the reason if not). */
  public dev.ferry.migration.MigrationRecord migrate(String vm, MigrationRequest request) {
    return call(
        HttpMethod.POST,
        "/v1/vms/" + enc(vm) + "/migrate",
        request,
        dev.ferry.migration.MigrationRecord.class);
  }

  public List<dev.ferry.migration.MigrationRecord> migrations() {
    return call(
        HttpMethod.GET,
        "/v1/migrations",
        null,
        new TypeReference<List<dev.ferry.migration.MigrationRecord>>() {});
  }

  public dev.ferry.migration.MigrationRecord migration(String id) {
    return get("/v1/migrations/" + enc(id), dev.ferry.migration.MigrationRecord.class);
  }

  /** Aborts a migration before handover; idempotent; returns the final record. */
  public dev.ferry.migration.MigrationRecord abortMigration(String id) {
    return post("/v1/migrations/" + enc(id) + "/abort", dev.ferry.migration.MigrationRecord.class);
  }

  /** Changes the bandwidth cap of a running migration. */
  public dev.ferry.migration.MigrationRecord setBandwidth(
      String id, dev.ferry.common.DataRate rate) {
    return call(
        HttpMethod.POST,
        "/v1/migrations/" + enc(id) + "/bandwidth",
        new BandwidthChange(rate),
        dev.ferry.migration.MigrationRecord.class);
  }

  /** Records the outage a client-side probe observed. */
  public dev.ferry.migration.MigrationRecord reportOutage(String id, long outageMs) {
    return call(
        HttpMethod.PUT,
        "/v1/migrations/" + enc(id) + "/outage",
        new OutageReport(outageMs),
        dev.ferry.migration.MigrationRecord.class);
  }

  // ---------------------------------------------------------------- migrations (destination side)

  public IncomingCheck checkIncoming(dev.ferry.qemu.VmSpec spec) {
    return call(HttpMethod.POST, "/v1/incoming/check", spec, IncomingCheck.class);
  }

  /** Asks the destination to open a one-shot TCP sink for a bandwidth probe. */
  public BandwidthSample openBandwidthSink() {
    return post("/v1/incoming/bandwidth", BandwidthSample.class);
  }

  public IncomingOffer prepareIncoming(IncomingRequest request) {
    return call(HttpMethod.POST, "/v1/incoming", request, IncomingOffer.class);
  }

  public IncomingStatus keepAlive(String id) {
    return post("/v1/incoming/" + enc(id) + "/keepalive", IncomingStatus.class);
  }

  public IncomingStatus handover(String id, long epoch) {
    return call(
        HttpMethod.POST,
        "/v1/incoming/" + enc(id) + "/handover",
        new HandoverRequest(epoch),
        IncomingStatus.class);
  }

  public IncomingStatus incomingStatus(String id) {
    return get("/v1/incoming/" + enc(id), IncomingStatus.class);
  }

  public IncomingStatus abortIncoming(String id) {
    return call(HttpMethod.DELETE, "/v1/incoming/" + enc(id), null, IncomingStatus.class);
  }

  /** The tail of the VM's serial console ({@code bytes <= 0}: all of it). */
  public String console(String name, long bytes) {
    ContentResponse r =
        send(request(HttpMethod.GET, "/v1/vms/" + enc(name) + "/console?bytes=" + bytes));
    return r.getContentAsString();
  }

  /**
   * Follows the agent's event stream, calling {@code sink} for each event, until the stream ends,
   * the thread is interrupted, or {@code sink} throws. Blocks the calling thread.
   */
  public void followEvents(long sinceSeq, Consumer<AgentEvent> sink) {
    InputStreamResponseListener listener = new InputStreamResponseListener();
    Request req =
        http.newRequest(endpoint.baseUri().resolve("/v1/events?since=" + sinceSeq))
            .transport(transport)
            .method(HttpMethod.GET)
            .accept("text/event-stream")
            .idleTimeout(0, TimeUnit.MILLISECONDS);
    req.send(listener);
    try {
      Response response = listener.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (response.getStatus() != 200) {
        throw new ApiException(
            new ApiError(
                response.getStatus(), "http_" + response.getStatus(), "event stream refused"));
      }
      try (InputStream in = listener.getInputStream();
          BufferedReader r =
              new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          if (line.startsWith("data:")) {
            sink.accept(JSON.readValue(line.substring(5).strip(), AgentEvent.class));
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      req.abort(e);
    } catch (TimeoutException | ExecutionException | IOException e) {
      throw new AgentUnreachableException(endpoint, e);
    }
  }
}
