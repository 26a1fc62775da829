package dev.ferry.manager.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ferry.api.AddHostRequest;
import dev.ferry.api.AgentUnreachableException;
import dev.ferry.api.ApiError;
import dev.ferry.api.ApiException;
import dev.ferry.api.BalanceApply;
import dev.ferry.api.BalanceSettingsView;
import dev.ferry.api.BandwidthChange;
import dev.ferry.api.ClusterMigrationRequest;
import dev.ferry.api.ClusterVmCreate;
import dev.ferry.api.LeaseTransfer;
import dev.ferry.api.QueueLimits;
import dev.ferry.common.Json;
import dev.ferry.manager.ManagerException;
import dev.ferry.manager.Operations;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manager's {@code /v1} REST API, {@code /metrics} for Prometheus and the web console at {@code
 * /}, on a TCP address and/or a unix socket. Handlers run on virtual threads.
 */
public final class ManagerApi implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ManagerApi.class);

  private final Javalin app;

  public ManagerApi(Optional<InetSocketAddress> listen, Optional<Path> socket, Operations ops) {
    socket.ifPresent(ManagerApi::removeStaleSocket);
    this.app =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.concurrency.useVirtualThreads = true;
              config.jsonMapper(new JavalinJackson(Json.strict(), true));
              config.staticFiles.add(
                  s -> {
                    s.hostedPath = "/";
                    s.directory = "/console";
                    s.location = Location.CLASSPATH;
                  });
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
              r.get("/v1/hosts", ctx -> ctx.json(ops.hosts().list()));
              r.post(
                  "/v1/hosts",
                  ctx ->
                      ctx.status(HttpStatus.CREATED)
                          .json(ops.hosts().add(read(ctx, AddHostRequest.class).url())));
              r.get("/v1/hosts/{name}", ctx -> ctx.json(ops.hosts().get(ctx.pathParam("name"))));
              r.delete(
                  "/v1/hosts/{name}",
                  ctx -> {
                    ops.hosts().remove(ctx.pathParam("name"));
                    ctx.status(HttpStatus.NO_CONTENT);
                  });
              r.post(
                  "/v1/hosts/{name}/maintenance",
                  ctx -> ctx.json(ops.maintenance().enter(ctx.pathParam("name"))));
              r.get(
                  "/v1/hosts/{name}/maintenance",
                  ctx -> ctx.json(ops.maintenance().status(ctx.pathParam("name"))));
              r.delete(
                  "/v1/hosts/{name}/maintenance",
                  ctx -> ctx.json(ops.maintenance().exit(ctx.pathParam("name"))));
              r.get("/v1/vms", ctx -> ctx.json(ops.vms().list()));
              r.post(
                  "/v1/vms",
                  ctx ->
                      ctx.status(HttpStatus.CREATED)
                          .json(ops.vms().create(read(ctx, ClusterVmCreate.class))));
              r.get("/v1/vms/{name}", ctx -> ctx.json(ops.vms().get(ctx.pathParam("name"))));
              r.get("/v1/leases/{vm}", ctx -> ctx.json(ops.vms().lease(ctx.pathParam("vm"))));
              r.post(
                  "/v1/leases/{vm}/transfer",
                  ctx ->
                      ctx.json(
                          ops.vms().transfer(ctx.pathParam("vm"), read(ctx, LeaseTransfer.class))));
              r.get("/v1/migrations", ctx -> ctx.json(ops.queue().list(500)));
              r.post(
                  "/v1/migrations",
                  ctx ->
                      ctx.status(HttpStatus.CREATED)
                          .json(ops.migrate(read(ctx, ClusterMigrationRequest.class))));
              r.get(
                  "/v1/migrations/{id}",
                  ctx ->
                      ctx.json(
                          ops.queue()
                              .get(ctx.pathParam("id"))
                              .orElseThrow(
                                  () ->
                                      new ManagerException(
                                          404,
                                          "no migration with id '" + ctx.pathParam("id") + "'"))));
              r.post(
                  "/v1/migrations/{id}/abort",
                  ctx -> ctx.json(ops.queue().abort(ctx.pathParam("id"))));
              r.post(
                  "/v1/migrations/{id}/bandwidth",
                  ctx ->
                      ctx.json(
                          ops.queue()
                              .setBandwidth(
                                  ctx.pathParam("id"),
                                  read(ctx, BandwidthChange.class).bandwidth())));
              r.get("/v1/balance", ctx -> ctx.json(ops.balance().status()));
              r.put(
                  "/v1/balance/settings",
                  ctx -> ctx.json(ops.balance().setSettings(read(ctx, BalanceSettingsView.class))));
              r.post(
                  "/v1/balance/apply",
                  ctx ->
                      ctx.json(
                          ops.balance().apply(read(ctx, BalanceApply.class).vms(), "operator")));
              r.get("/v1/queue/limits", ctx -> ctx.json(ops.limits()));
              r.put(
                  "/v1/queue/limits", ctx -> ctx.json(ops.setLimits(read(ctx, QueueLimits.class))));
              r.get("/v1/events", ctx -> ctx.json(ops.events().recent(200)));
              r.get(
                  "/metrics",
                  ctx ->
                      ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                          .result(ops.metrics().scrape()));
              r.exception(
                  ManagerException.class,
                  (e, ctx) -> error(ctx, e.status(), "manager", e.getMessage()));
              r.exception(
                  ApiException.class,
                  (e, ctx) -> error(ctx, e.error().status(), e.error().code(), e.getMessage()));
              r.exception(
                  AgentUnreachableException.class,
                  (e, ctx) -> error(ctx, 502, "agent_unreachable", e.getMessage()));
              r.exception(
                  JsonProcessingException.class,
                  (e, ctx) -> error(ctx, 400, "bad_request", e.getOriginalMessage()));
              r.exception(
                  IllegalArgumentException.class,
                  (e, ctx) -> error(ctx, 400, "bad_request", e.getMessage()));
              r.exception(
                  Exception.class,
                  (e, ctx) -> {
                    log.error("Unhandled error on {} {}", ctx.method(), ctx.path(), e);
                    error(ctx, 500, "internal", e.toString());
                  });
            });
  }

  public void start() {
    app.start();
  }

  private static <T> T read(Context ctx, Class<T> type) throws IOException {
    String body = ctx.body();
    if (body.isBlank()) {
      throw new ManagerException(400, "request body is empty; expected " + type.getSimpleName());
    }
    T value = Json.strict().readValue(body, type);
    if (value == null) {
      throw new ManagerException(400, "request body is null; expected " + type.getSimpleName());
    }
    return value;
  }

  private static void error(Context ctx, int status, String code, String message) {
    ctx.status(status).json(new ApiError(status, code, message));
  }

  private static void removeStaleSocket(Path path) {
    try {
      Files.createDirectories(path.getParent());
      Files.deleteIfExists(path);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot prepare socket " + path, e);
    }
  }

  @Override
  public void close() {
    app.stop();
  }
}
