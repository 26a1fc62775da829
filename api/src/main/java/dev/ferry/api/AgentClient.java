package dev.ferry.api;

import static dev.ferry.api.AgentRoutes.ABORT_INCOMING;
import static dev.ferry.api.AgentRoutes.ABORT_MIGRATION;
import static dev.ferry.api.AgentRoutes.BANDWIDTH_SINK;
import static dev.ferry.api.AgentRoutes.BIND_MANAGER;
import static dev.ferry.api.AgentRoutes.CHECK_INCOMING;
import static dev.ferry.api.AgentRoutes.CONSOLE;
import static dev.ferry.api.AgentRoutes.CONSOLE_BYTES;
import static dev.ferry.api.AgentRoutes.CREATE_VM;
import static dev.ferry.api.AgentRoutes.DELETE_VM;
import static dev.ferry.api.AgentRoutes.FORCE;
import static dev.ferry.api.AgentRoutes.HANDOVER;
import static dev.ferry.api.AgentRoutes.HOST;
import static dev.ferry.api.AgentRoutes.HOST_LOAD;
import static dev.ferry.api.AgentRoutes.INCOMING;
import static dev.ferry.api.AgentRoutes.KEEPALIVE;
import static dev.ferry.api.AgentRoutes.MANAGER;
import static dev.ferry.api.AgentRoutes.MIGRATE;
import static dev.ferry.api.AgentRoutes.MIGRATION;
import static dev.ferry.api.AgentRoutes.MIGRATIONS;
import static dev.ferry.api.AgentRoutes.MOVE_DISK;
import static dev.ferry.api.AgentRoutes.PAUSE;
import static dev.ferry.api.AgentRoutes.PREPARE_INCOMING;
import static dev.ferry.api.AgentRoutes.RECOVER_POSTCOPY;
import static dev.ferry.api.AgentRoutes.REPORT_OUTAGE;
import static dev.ferry.api.AgentRoutes.RESUME;
import static dev.ferry.api.AgentRoutes.SET_BANDWIDTH;
import static dev.ferry.api.AgentRoutes.START;
import static dev.ferry.api.AgentRoutes.STOP;
import static dev.ferry.api.AgentRoutes.STOP_TIMEOUT;
import static dev.ferry.api.AgentRoutes.VM;
import static dev.ferry.api.AgentRoutes.VMS;

import dev.ferry.common.DataRate;
import dev.ferry.migration.MigrationRecord;
import dev.ferry.qemu.VmSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
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
    return call(HOST.at());
  }

  /** What the host's VMs consume now (CPU time, resident memory). */
  public HostLoadSample load() {
    return call(HOST_LOAD.at());
  }

  /** Binds the agent to a manager (or unbinds it with an empty URL). */
  public ManagerBinding bindManager(ManagerBinding binding) {
    return call(BIND_MANAGER.at(), binding);
  }

  public ManagerBinding manager() {
    return call(MANAGER.at());
  }

  public List<VmInfo> listVms() {
    return call(VMS.at());
  }

  public VmInfo vm(String name) {
    return call(VM.at(name));
  }

  public VmInfo createVm(VmCreateRequest request) {
    return call(CREATE_VM.at(), request);
  }

  public VmInfo start(String name) {
    return call(START.at(name));
  }

  /**
   * Stops a VM: asks the guest to power off, and after {@code grace} forces QEMU to quit. With
   * {@code force} it does not ask the guest.
   */
  public VmInfo stop(String name, boolean force, Duration grace) {
    return call(STOP.at(name).with(FORCE, force).with(STOP_TIMEOUT, grace));
  }

  /** Moves a running VM's disk to another directory of the host's storage, live. */
  public VmInfo moveDisk(String name, String disk, DiskMoveRequest request) {
    return call(MOVE_DISK.at(name, disk), request);
  }

  public VmInfo pause(String name) {
    return call(PAUSE.at(name));
  }

  public VmInfo resume(String name) {
    return call(RESUME.at(name));
  }

  /** Deletes a VM's definition; with {@code force} a running VM is stopped first. */
  public void delete(String name, boolean force) {
    call(DELETE_VM.at(name).with(FORCE, force));
  }

  // ---------------------------------------------------------------- migrations (source side)

  /** Starts a live migration; returns once preflight passed (4xx with the reason if not). */
  public MigrationRecord migrate(String vm, MigrationRequest request) {
    return call(MIGRATE.at(vm), request);
  }

  public List<MigrationRecord> migrations() {
    return call(MIGRATIONS.at());
  }

  public MigrationRecord migration(String id) {
    return call(MIGRATION.at(id));
  }

  /** Aborts a migration before handover; idempotent; returns the final record. */
  public MigrationRecord abortMigration(String id) {
    return call(ABORT_MIGRATION.at(id));
  }

  /** Changes the bandwidth cap of a running migration. */
  public MigrationRecord setBandwidth(String id, DataRate rate) {
    return call(SET_BANDWIDTH.at(id), new BandwidthChange(rate));
  }

  /** Records the outage a client-side probe observed. */
  public MigrationRecord reportOutage(String id, long outageMs) {
    return call(REPORT_OUTAGE.at(id), new OutageReport(outageMs));
  }

  // ---------------------------------------------------------------- migrations (destination side)

  public IncomingCheck checkIncoming(VmSpec spec) {
    return call(CHECK_INCOMING.at(), spec);
  }

  /** Asks the destination to open a one-shot TCP sink for a bandwidth probe. */
  public BandwidthSample openBandwidthSink() {
    return call(BANDWIDTH_SINK.at());
  }

  public IncomingOffer prepareIncoming(IncomingRequest request) {
    return call(PREPARE_INCOMING.at(), request);
  }

  public IncomingStatus keepAlive(String id) {
    return call(KEEPALIVE.at(id));
  }

  public IncomingStatus handover(String id, long epoch) {
    return call(HANDOVER.at(id), new HandoverRequest(epoch));
  }

  /** Asks the destination to listen again for a broken post-copy stream; answers where. */
  public IncomingOffer recoverPostcopy(String id) {
    return call(RECOVER_POSTCOPY.at(id));
  }

  public IncomingStatus incomingStatus(String id) {
    return call(INCOMING.at(id));
  }

  public IncomingStatus abortIncoming(String id) {
    return call(ABORT_INCOMING.at(id));
  }

  /** The tail of the VM's serial console ({@code bytes <= 0}: all of it). */
  public String console(String name, long bytes) {
    return call(CONSOLE.at(name).with(CONSOLE_BYTES, bytes));
  }

  /**
   * Follows the agent's event stream, calling {@code sink} for each event, until the stream ends,
   * the thread is interrupted, or {@code sink} throws. Blocks the calling thread.
   */
  public void followEvents(long sinceSeq, Consumer<AgentEvent> sink) {
    followEvents(sinceSeq, () -> {}, sink);
  }

  /**
   * Follows the agent's event stream after event {@code sinceSeq} (the agent replays the events it
   * kept after that one first, so a client that reconnects with the last sequence number it saw
   * misses nothing the agent still holds), calling {@code onOpen} once the agent accepted the
   * stream and {@code sink} for each event, until the stream ends, the thread is interrupted
   * (returns with the interrupt flag set), or {@code sink} throws. Blocks the calling thread; the
   * request is aborted whichever way it ends.
   *
   * @throws AgentUnreachableException if the stream cannot be opened or breaks
   */
  public void followEvents(long sinceSeq, Runnable onOpen, Consumer<AgentEvent> sink) {
    InputStreamResponseListener listener = new InputStreamResponseListener();
    Request req =
        authorized(
            http.newRequest(endpoint.baseUri().resolve("/v1/events?since=" + sinceSeq))
                .transport(transport)
                .method(HttpMethod.GET)
                .accept("text/event-stream")
                .idleTimeout(0, TimeUnit.MILLISECONDS));
    req.send(listener);
    try {
      Response response = listener.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (response.getStatus() != 200) {
        throw new ApiException(
            new ApiError(
                response.getStatus(), "http_" + response.getStatus(), "event stream refused"));
      }
      onOpen.run();
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
    } catch (InterruptedException | InterruptedIOException e) {
      Thread.currentThread().interrupt();
    } catch (TimeoutException | ExecutionException | IOException e) {
      throw new AgentUnreachableException(endpoint, e);
    } finally {
      req.abort(new CancellationException("event stream closed"));
    }
  }
}
