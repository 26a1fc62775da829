package dev.ferry.agent.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import dev.ferry.agent.AgentException;
import dev.ferry.agent.cluster.ManagerLink;
import dev.ferry.agent.diskmove.DiskMover;
import dev.ferry.agent.events.EventBus;
import dev.ferry.agent.migration.incoming.IncomingMigrations;
import dev.ferry.agent.migration.outgoing.OutgoingMigrations;
import dev.ferry.agent.vm.VmService;
import dev.ferry.api.AgentEvent;
import dev.ferry.api.ApiError;
import dev.ferry.api.BandwidthChange;
import dev.ferry.api.DiskMoveRequest;
import dev.ferry.api.HandoverRequest;
import dev.ferry.api.HostFacts;
import dev.ferry.api.HostLoadSample;
import dev.ferry.api.IncomingRequest;
import dev.ferry.api.ManagerBinding;
import dev.ferry.api.MigrationRequest;
import dev.ferry.api.OutageReport;
import dev.ferry.api.VmCreateRequest;
import dev.ferry.common.Json;
import dev.ferry.qemu.VmSpec;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's {@code /v1} REST API (see {@link dev.ferry.api}), served on a TCP address for peers
 * and on a unix socket for local tools. Handlers run on virtual threads and may block.
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
  private static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(30);
  private static final Duration MAX_STOP_GRACE = Duration.ofMinutes(10);
  private static final String ERROR_WRITTEN = "ferry.error-written";

  private final Javalin app;

  /**
   * @param listen TCP address, or empty for the unix socket only
   * @param socket unix socket path, or empty for TCP only
   */
  public ApiServer(
      Optional<InetSocketAddress> listen,
      Optional<Path> socket,
      Supplier<HostFacts> host,
      VmService vms,
      EventBus events,
      OutgoingMigrations migrations,
      IncomingMigrations incoming,
      ManagerLink manager,
      Supplier<HostLoadSample> load,
      DiskMover disks) {
    socket.ifPresent(ApiServer::removeStaleSocket);
    this.app =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.concurrency.useVirtualThreads = true;
              config.jsonMapper(new JavalinJackson(Json.strict(), true));
              config.jetty.modifyServer(
                  server -> {
                    listen.ifPresent(
                        addr -> {
                          ServerConnector tcp = new ServerConnector(server);
                          tcp.setHost(addr.getHostString());
                          tcp.setPort(addr.getPort());
                          server.addConnector(tcp);
                        });
                    socket.ifPresent(
                        path -> {
                          UnixDomainServerConnector uds = new UnixDomainServerConnector(server);
                          uds.setUnixDomainPath(path);
                          server.addConnector(uds);
                        });
                  });
              var r = config.routes;
              r.get("/v1/host", ctx -> ctx.json(host.get()));
              r.get("/v1/host/load", ctx -> ctx.json(load.get()));
              r.get("/v1/manager", ctx -> ctx.json(manager.binding()));
              r.put("/v1/manager", ctx -> ctx.json(manager.bind(read(ctx, ManagerBinding.class))));
              r.get("/v1/vms", ctx -> ctx.json(vms.list()));
              r.post("/v1/vms", ctx -> ctx.status(HttpStatus.CREATED).json(vms.create(body(ctx))));
              r.get("/v1/vms/{name}", ctx -> ctx.json(vms.get(ctx.pathParam("name"))));
              r.post("/v1/vms/{name}/start", ctx -> ctx.json(vms.start(ctx.pathParam("name"))));
              r.post(
                  "/v1/vms/{name}/stop",
                  ctx ->
                      ctx.json(
                          vms.stop(
                              ctx.pathParam("name"),
                              bool(ctx, "force"),
                              duration(ctx, "timeout", DEFAULT_STOP_GRACE))));
              r.post("/v1/vms/{name}/pause", ctx -> ctx.json(vms.pause(ctx.pathParam("name"))));
              r.post(
                  "/v1/vms/{name}/disks/{disk}/move",
                  ctx -> {
                    DiskMoveRequest req = read(ctx, DiskMoveRequest.class);
                    ctx.json(
                        disks.move(
                            ctx.pathParam("name"),
                            ctx.pathParam("disk"),
                            req.targetDir(),
                            req.keepSource().orElse(false)));
                  });
              r.post("/v1/vms/{name}/resume", ctx -> ctx.json(vms.resume(ctx.pathParam("name"))));
              r.delete(
                  "/v1/vms/{name}",
                  ctx -> {
                    vms.delete(ctx.pathParam("name"), bool(ctx, "force"));
                    ctx.status(HttpStatus.NO_CONTENT);
                  });
              r.post(
                  "/v1/vms/{name}/migrate",
                  ctx ->
                      ctx.status(HttpStatus.CREATED)
                          .json(
                              migrations.migrate(
                                  ctx.pathParam("name"), read(ctx, MigrationRequest.class))));
              r.get("/v1/migrations", ctx -> ctx.json(migrations.list()));
              r.get("/v1/migrations/{id}", ctx -> ctx.json(migrations.get(ctx.pathParam("id"))));
              r.post(
                  "/v1/migrations/{id}/abort",
                  ctx ->
                      ctx.json(migrations.abort(ctx.pathParam("id"), "requested by an operator")));
              r.post(
                  "/v1/migrations/{id}/bandwidth",
                  ctx ->
                      ctx.json(
                          migrations.setBandwidth(
                              ctx.pathParam("id"), read(ctx, BandwidthChange.class).bandwidth())));
              r.put(
                  "/v1/migrations/{id}/outage",
                  ctx ->
                      ctx.json(
                          migrations.reportOutage(
                              ctx.pathParam("id"), read(ctx, OutageReport.class).outageMs())));
              r.post(
                  "/v1/incoming/check", ctx -> ctx.json(incoming.check(read(ctx, VmSpec.class))));
              r.post("/v1/incoming/bandwidth", ctx -> ctx.json(incoming.openSink()));
              r.post(
                  "/v1/incoming",
                  ctx ->
                      ctx.status(HttpStatus.CREATED)
                          .json(incoming.prepare(read(ctx, IncomingRequest.class))));
              r.get("/v1/incoming/{id}", ctx -> ctx.json(incoming.status(ctx.pathParam("id"))));
              r.post(
                  "/v1/incoming/{id}/keepalive",
                  ctx -> ctx.json(incoming.keepAlive(ctx.pathParam("id"))));
              r.post(
                  "/v1/incoming/{id}/handover",
                  ctx ->
                      ctx.json(
                          incoming.handover(
                              ctx.pathParam("id"), read(ctx, HandoverRequest.class).epoch())));
              r.delete(
                  "/v1/incoming/{id}",
                  ctx -> ctx.json(incoming.abort(ctx.pathParam("id"), "aborted by the source")));
              r.get(
                  "/v1/vms/{name}/console",
                  ctx ->
                      ctx.contentType("text/plain; charset=utf-8")
                          .result(vms.console(ctx.pathParam("name"), longParam(ctx, "bytes", 0))));
              r.sse(
                  "/v1/events",
                  client -> {
                    long since = longParam(client.ctx(), "since", 0);
                    LinkedBlockingQueue<AgentEvent> queue = new LinkedBlockingQueue<>(10_000);
                    client.keepAlive();
                    EventBus.Subscription sub = events.subscribe(since, queue::offer);
                    try {
                      while (!client.terminated()) {
                        AgentEvent e = queue.poll(15, TimeUnit.SECONDS);
                        if (e == null) {
                          client.sendComment("keep-alive");
                        } else {
                          client.sendEvent(e.type().text(), e, Long.toString(e.seq()));
                        }
                      }
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    } catch (RuntimeException e) {
                      log.debug("event stream ended: {}", e.toString());
                    } finally {
                      sub.close();
                      client.close();
                    }
                  });
              r.exception(
                  AgentException.class,
                  (e, ctx) -> error(ctx, e.status(), e.code(), e.getMessage()));
              r.exception(
                  JsonProcessingException.class,
                  (e, ctx) -> error(ctx, 400, "bad_request", describe(e)));
              r.exception(
                  Exception.class,
                  (e, ctx) -> {
                    log.error("Unhandled error on {} {}", ctx.method(), ctx.path(), e);
                    error(ctx, 500, "internal", e.toString());
                  });
              r.error(
                  404,
                  ctx -> {
                    if (ctx.attribute(ERROR_WRITTEN) == null) {
                      error(
                          ctx,
                          404,
                          "not_found",
                          "no such endpoint: " + ctx.method() + " " + ctx.path());
                    }
                  });
              r.error(
                  405,
                  ctx -> error(ctx, 405, "method_not_allowed", ctx.method() + " " + ctx.path()));
            });
  }

  public ApiServer start() {
    app.start();
    log.info("Agent API listening");
    return this;
  }

  /** The TCP port actually bound (useful with port 0), or -1 without TCP. */
  public int tcpPort() {
    return app.jettyServer().server().getConnectors().length == 0
        ? -1
        : java.util.Arrays.stream(app.jettyServer().server().getConnectors())
            .filter(c -> c instanceof ServerConnector)
            .mapToInt(c -> ((ServerConnector) c).getLocalPort())
            .findFirst()
            .orElse(-1);
  }

  private static <T> T read(Context ctx, Class<T> type) throws IOException {
    String text = ctx.body();
    if (text.isBlank()) {
      throw new AgentException.BadRequest("request body is empty (expected JSON)");
    }
    return Json.strict().readValue(text, type);
  }

  private static VmCreateRequest body(Context ctx) throws IOException {
    String text = ctx.body();
    if (text.isBlank()) {
      throw new AgentException.BadRequest("request body is empty (expected a JSON VM definition)");
    }
    return Json.strict().readValue(text, VmCreateRequest.class);
  }

  private static boolean bool(Context ctx, String name) {
    String v = ctx.queryParam(name);
    if (v == null || v.isEmpty()) {
      return false;
    }
    return switch (v) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> throw new AgentException.BadRequest(name + "=" + v + " is not true or false");
    };
  }

  private static long longParam(Context ctx, String name, long fallback) {
    String v = ctx.queryParam(name);
    if (v == null || v.isEmpty()) {
      return fallback;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new AgentException.BadRequest(name + "=" + v + " is not a number");
    }
  }

  private static Duration duration(Context ctx, String name, Duration fallback) {
    String v = ctx.queryParam(name);
    if (v == null || v.isEmpty()) {
      return fallback;
    }
    Duration d;
    try {
      d =
          v.endsWith("s")
              ? Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)))
              : Duration.ofSeconds(Long.parseLong(v));
    } catch (NumberFormatException e) {
      throw new AgentException.BadRequest(name + "=" + v + " is not a duration such as 30s");
    }
    if (d.isNegative() || d.compareTo(MAX_STOP_GRACE) > 0) {
      throw new AgentException.BadRequest(
          name + "=" + v + " is out of range 0.." + MAX_STOP_GRACE.toSeconds() + "s");
    }
    return d;
  }

  private static void error(Context ctx, int status, String code, String message) {
    ctx.attribute(ERROR_WRITTEN, true);
    ctx.status(status).json(new ApiError(status, code, message));
  }

  /** A JSON problem as a sentence naming the field, without Jackson's internals. */
  static String describe(JsonProcessingException e) {
    String where =
        e instanceof MismatchedInputException m && !m.getPath().isEmpty()
            ? " at '"
                + String.join(
                    ".",
                    m.getPath().stream()
                        .map(
                            r ->
                                r.getFieldName() != null
                                    ? r.getFieldName()
                                    : Integer.toString(r.getIndex()))
                        .toList())
                + "'"
            : "";
    return switch (e) {
      case UnrecognizedPropertyException u ->
          "unknown field '" + u.getPropertyName() + "' in request" + where;
      case ValueInstantiationException v -> "invalid value" + where + ": " + rootMessage(v);
      case InvalidFormatException f ->
          "invalid value '" + f.getValue() + "'" + where + ": " + rootMessage(f);
      case MismatchedInputException m -> "wrong type of value" + where;
      default -> "malformed JSON: " + e.getOriginalMessage();
    };
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage();
  }

  private static void removeStaleSocket(Path path) {
    try {
      Files.createDirectories(path.getParent());
      Files.deleteIfExists(path);
    } catch (IOException e) {
      throw new IllegalStateException("cannot prepare unix socket " + path + ": " + e, e);
    }
  }

  @Override
  public void close() {
    app.stop();
  }
}
