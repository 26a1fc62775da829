package dev.ferry.api.http;

import dev.ferry.api.ApiError;
import dev.ferry.api.auth.AuditLog;
import dev.ferry.api.auth.Principal;
import dev.ferry.api.auth.TokenStore;
import dev.ferry.api.route.QueryParam;
import dev.ferry.api.route.Route;
import dev.ferry.api.route.RouteTable;
import dev.ferry.common.Json;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.sse.SseClient;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one HTTP server bootstrap of Ferry's REST APIs (the agent's and the manager's): Javalin on a
 * TCP address and/or a unix socket, handlers on virtual threads (they may block), JSON through
 * {@link Json#strict()}, and every error answered as an {@link ApiError} body by one mapping
 * ({@link ErrorReplies}): the same statuses and messages on both servers.
 *
 * <p>Handlers are registered by {@link Route}, one per route of the API's {@link RouteTable}; a
 * server missing one does not build. Before a handler runs, the server reads the request body the
 * route declares: an empty body, a body that is not JSON ({@code Content-Type} other than {@code
 * application/json}), malformed JSON and unknown fields are refused with a 400 (415 for the media
 * type) naming the problem. Unknown paths get 404, known paths with another method 405.
 *
 * <p>Built once, then started; thread-safe.
 */
public final class RestServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RestServer.class);
  private static final String ERROR_WRITTEN = "ferry.error-written";

  private final String api;
  private final Javalin app;
  private final List<Route<?, ?>> served;

  private final Optional<Path> socket;

  private RestServer(String api, Javalin app, List<Route<?, ?>> served, Optional<Path> socket) {
    this.api = api;
    this.app = app;
    this.served = List.copyOf(served);
    this.socket = socket;
  }

  /** A server for the routes of {@code table}. */
  public static Builder builder(RouteTable table) {
    return new Builder(table);
  }

  /** Binds the connectors and starts serving. */
  public RestServer start() {
    app.start();
    socket.ifPresent(RestServer::ownerOnly);
    log.info("{} API listening on {}", capitalised(api), connectors());
    return this;
  }

  /** The TCP port actually bound (useful with port 0), or -1 without TCP. */
  public int tcpPort() {
    return Arrays.stream(app.jettyServer().server().getConnectors())
        .filter(c -> c instanceof ServerConnector)
        .mapToInt(c -> ((ServerConnector) c).getLocalPort())
        .findFirst()
        .orElse(-1);
  }

  /** The routes this server has handlers for: all of its table's. */
  public List<Route<?, ?>> served() {
    return served;
  }

  @Override
  public void close() {
    app.stop();
  }

  private String connectors() {
    return String.join(
        ", ",
        Arrays.stream(app.jettyServer().server().getConnectors())
            .map(
                c ->
                    switch (c) {
                      case ServerConnector t -> "tcp " + t.getHost() + ":" + t.getLocalPort();
                      case UnixDomainServerConnector u -> "unix " + u.getUnixDomainPath();
                      default -> c.toString();
                    })
            .toList());
  }

  private static String capitalised(String word) {
    return word.isEmpty()
        ? word
        : word.substring(0, 1).toUpperCase(Locale.ROOT) + word.substring(1);
  }

  /** Handles one route: the reply the route declares, or an exception for the error mapping. */
  @FunctionalInterface
  public interface Handler<B, R> {
    R handle(RestCall<B> call) throws Exception;
  }

  /** Collects the handlers, then builds the server. Not thread-safe; used by one thread. */
  public static final class Builder {
    private final RouteTable table;
    private final Map<Route<?, ?>, Consumer<JavalinConfig>> handlers = new LinkedHashMap<>();
    private Optional<InetSocketAddress> listen = Optional.empty();
    private Optional<Path> socket = Optional.empty();
    private Optional<String> staticDirectory = Optional.empty();
    private Optional<Optional<TokenStore>> tokens = Optional.empty();
    private Optional<AuditLog> audit = Optional.empty();
    private Guard guard;

    private Builder(RouteTable table) {
      this.table = table;
    }

    /** Serve on this TCP address (port 0 picks a free one); empty for none. */
    public Builder listen(Optional<InetSocketAddress> address) {
      this.listen = address;
      return this;
    }

    /** Serve on this unix socket (a stale one is removed); empty for none. */
    public Builder socket(Optional<Path> path) {
      this.socket = path;
      return this;
    }

    /**
     * Callers over TCP must present a token of {@code store} whose role covers the route's; the
     * unix socket stays root's.
     */
    public Builder authenticate(TokenStore store) {
      this.tokens = Optional.of(Optional.of(store));
      return this;
    }

    /** Anyone reaching the TCP address may call every route: for tests of the plumbing only. */
    public Builder unauthenticated() {
      this.tokens = Optional.of(Optional.empty());
      return this;
    }

    /** Appends every call but GET, with its caller and outcome, to {@code log}. */
    public Builder audit(AuditLog log) {
      this.audit = Optional.of(log);
      return this;
    }

    /** Serve the files of this classpath directory at {@code /}, where no route matches. */
    public Builder staticFiles(String classpathDirectory) {
      this.staticDirectory = Optional.of(classpathDirectory);
      return this;
    }

    /** Adds a feature's handlers. */
    public Builder add(RouteGroup group) {
      group.addTo(this);
      return this;
    }

    /**
     * Serves {@code route} with {@code handler}: the reply is written with the route's success
     * status (JSON, or text of the route's media type; nothing for 204).
     */
    public <B, R> Builder on(Route<B, R> route, Handler<B, R> handler) {
      if (route.reply() == Route.Reply.EVENTS) {
        throw new IllegalArgumentException(route + " is an event stream: register it with events");
      }
      return register(
          route,
          config ->
              config.routes.addHttpHandler(
                  handlerType(route.method()),
                  route.template(),
                  ctx -> {
                    guard.admit(ctx, route);
                    serve(route, handler, ctx);
                  }));
    }

    /** Serves the event stream {@code route} with {@code handler}, one call per client. */
    public <R> Builder events(Route<Void, R> route, Consumer<SseClient> handler) {
      if (route.reply() != Route.Reply.EVENTS) {
        throw new IllegalArgumentException(route + " is not an event stream");
      }
      return register(
          route,
          config -> {
            // Query parameters are checked before the stream opens: once it has, the reply is
            // already 200 and a bad parameter could no longer be refused.
            config.routes.before(
                route.template(),
                ctx -> {
                  if (ctx.method() == HandlerType.GET) {
                    guard.admit(ctx, route);
                    route.query().forEach(q -> RestCall.query(ctx, q));
                  }
                });
            config.routes.sse(route.template(), handler);
          });
    }

    private Builder register(Route<?, ?> route, Consumer<JavalinConfig> registration) {
      if (!table.routes().contains(route)) {
        throw new IllegalArgumentException(
            route + " is not a route of the " + table.api() + " API");
      }
      if (handlers.putIfAbsent(route, registration) != null) {
        throw new IllegalArgumentException(route + " is served twice");
      }
      return this;
    }

    /**
     * The server, not yet started.
     *
     * @throws IllegalStateException when a declared route has no handler
     */
    public RestServer build() {
      List<String> missing =
          table.routes().stream()
              .filter(r -> !handlers.containsKey(r))
              .map(Route::toString)
              .toList();
      if (!missing.isEmpty()) {
        throw new IllegalStateException(
            "the " + table.api() + " API declares routes without a handler: " + missing);
      }
      if (tokens.isEmpty()) {
        throw new IllegalStateException(
            "the "
                + table.api()
                + " API must either authenticate(tokens) its TCP callers or be unauthenticated()");
      }
      guard = new Guard(tokens.get());
      if (listen.isEmpty() && socket.isEmpty()) {
        throw new IllegalStateException(
            "the " + table.api() + " API needs a TCP address or a socket");
      }
      socket.ifPresent(RestServer::removeStaleSocket);
      Javalin app = Javalin.create(this::configure);
      return new RestServer(table.api(), app, new ArrayList<>(handlers.keySet()), socket);
    }

    private void configure(JavalinConfig config) {
      config.startup.showJavalinBanner = false;
      config.concurrency.useVirtualThreads = true;
      config.http.prefer405over404 = true;
      config.jsonMapper(new JavalinJackson(Json.strict(), true));
      config.validation.register(Boolean.class, QueryParam::parseFlag);
      config.validation.register(Duration.class, QueryParam::parseSeconds);
      staticDirectory.ifPresent(
          dir ->
              config.staticFiles.add(
                  s -> {
                    s.hostedPath = "/";
                    s.directory = dir;
                    s.location = Location.CLASSPATH;
                  }));
      config.jetty.modifyServer(
          server -> {
            // Requests refused before routing (an ambiguous or oversized URI) are answered as
            // JSON too, without stacks, so clients see one error shape.
            ErrorHandler errors =
                new ErrorHandler() {
                  @Override
                  public boolean errorPageForMethod(String method) {
                    return true;
                  }
                };
            errors.setDefaultResponseMimeType("application/json");
            errors.setShowStacks(false);
            errors.setShowCauses(false);
            server.setErrorHandler(errors);
            listen.ifPresent(
                addr -> {
                  HttpConfiguration remote = new HttpConfiguration();
                  remote.setSendServerVersion(false);
                  ServerConnector tcp =
                      new ServerConnector(server, new HttpConnectionFactory(remote));
                  tcp.setHost(addr.getHostString());
                  tcp.setPort(addr.getPort());
                  server.addConnector(tcp);
                });
            socket.ifPresent(
                path -> {
                  HttpConfiguration local = new HttpConfiguration();
                  local.setSendServerVersion(false);
                  local.addCustomizer(
                      (request, responseHeaders) -> {
                        request.setAttribute(Guard.VIA_LOCAL_SOCKET, Boolean.TRUE);
                        return request;
                      });
                  UnixDomainServerConnector uds =
                      new UnixDomainServerConnector(server, new HttpConnectionFactory(local));
                  uds.setUnixDomainPath(path);
                  server.addConnector(uds);
                });
          });
      handlers.values().forEach(h -> h.accept(config));
      var r = config.routes;
      audit.ifPresent(
          log ->
              r.after(
                  ctx -> {
                    if (ctx.method() != HandlerType.GET
                        && ctx.method() != HandlerType.HEAD
                        && ctx.method() != HandlerType.OPTIONS) {
                      Principal who = ctx.attribute(Guard.PRINCIPAL);
                      log.record(
                          new AuditLog.Entry(
                              Instant.now(),
                              who == null ? "unauthenticated" : who.name(),
                              who == null ? null : who.role(),
                              ctx.method().name(),
                              ctx.path(),
                              ctx.statusCode()));
                    }
                  }));
      r.exception(Exception.class, (e, ctx) -> fail(ctx, e));
      r.error(
          404,
          ctx -> {
            if (ctx.attribute(ERROR_WRITTEN) == null) {
              reply(
                  ctx,
                  new ApiError(
                      404, "not_found", "no such endpoint: " + ctx.method() + " " + ctx.path()));
            }
          });
      r.error(
          405,
          ctx -> {
            if (ctx.attribute(ERROR_WRITTEN) == null) {
              reply(ctx, new ApiError(405, "method_not_allowed", ctx.method() + " " + ctx.path()));
            }
          });
    }
  }

  private static <B, R> void serve(Route<B, R> route, Handler<B, R> handler, Context ctx)
      throws Exception {
    B body = route.takesBody() ? Bodies.read(ctx, route.body()) : null;
    R result = handler.handle(new RestCall<>(route, ctx, body));
    switch (route.reply()) {
      case JSON -> {
        if (route.status() == 204) {
          ctx.status(204);
        } else {
          ctx.status(route.status()).json(result);
        }
      }
      case TEXT ->
          ctx.status(route.status()).contentType(route.mediaType()).result((String) result);
      case EVENTS -> throw new IllegalStateException(route + " is an event stream");
    }
  }

  private static HandlerType handlerType(Route.Method method) {
    return switch (method) {
      case GET -> HandlerType.GET;
      case POST -> HandlerType.POST;
      case PUT -> HandlerType.PUT;
      case DELETE -> HandlerType.DELETE;
    };
  }

  private static void fail(Context ctx, Exception e) {
    ApiError error = ErrorReplies.of(e);
    if (error.status() >= 500) {
      log.error("Unhandled error on {} {}", ctx.method(), ctx.path(), e);
    }
    reply(ctx, error);
  }

  private static void reply(Context ctx, ApiError error) {
    ctx.attribute(ERROR_WRITTEN, true);
    ctx.status(error.status()).json(error);
  }

  /** The unix socket is root's: whoever may connect to it is treated as root. */
  private static void ownerOnly(Path path) {
    try {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException | UnsupportedOperationException e) {
      throw new IllegalStateException("cannot make unix socket " + path + " owner-only: " + e, e);
    }
  }

  private static void removeStaleSocket(Path path) {
    try {
      Files.createDirectories(path.getParent());
      Files.deleteIfExists(path);
    } catch (IOException e) {
      throw new IllegalStateException("cannot prepare unix socket " + path + ": " + e, e);
    }
  }
}
