package dev.ferry.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.ferry.api.http.ErrorReply;
import dev.ferry.api.http.RestServer;
import dev.ferry.api.route.QueryParam;
import dev.ferry.api.route.Route;
import dev.ferry.api.route.RouteTable;
import dev.ferry.common.DataRate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clients and the route tables agree: each client method reaches the route it means, with its
 * path segments and query parameters read back as sent, and every route of each table is called by
 * its client (the event stream aside, which the agent client follows on its own). The server here
 * stubs every route of the table, over the unix socket the clients use for local tools.
 */
@Timeout(60)
class RouteAgreementTest {
  @TempDir Path dir;

  /** What the stub answers every call with: the route and what it read. */
  static final class Hit extends RuntimeException implements ErrorReply {
    Hit(String message) {
      super(message);
    }

    @Override
    public int status() {
      return 418;
    }

    @Override
    public String code() {
      return "hit";
    }
  }

  /**
   * A server for {@code table} whose handlers ignore bodies and answer each call with a {@link Hit}
   * naming the route, the path values and the query values. Its routes mirror the table's method,
   * path and query parameters but take no body, so the clients may send none.
   */
  private static RestServer stub(RouteTable table, Path socket) {
    RouteTable mirror = new RouteTable(table.api());
    List<Route<Void, Void>> routes = new ArrayList<>();
    for (Route<?, ?> r : table.routes()) {
      RouteTable.Builder<Void> b =
          switch (r.method()) {
            case GET -> mirror.get(r.template());
            case POST -> mirror.post(r.template());
            case PUT -> mirror.put(r.template());
            case DELETE -> mirror.delete(r.template());
          };
      routes.add(b.query(r.query().toArray(QueryParam<?>[]::new)).noContent());
    }
    RestServer.Builder server =
        RestServer.builder(mirror).unauthenticated().socket(Optional.of(socket));
    for (Route<Void, Void> r : routes) {
      server.on(
          r,
          call -> {
            String values =
                r.pathParams().stream().map(call::path).collect(Collectors.joining(","));
            String query =
                r.query().stream()
                    .map(q -> q.name() + "=" + call.query(q))
                    .collect(Collectors.joining(","));
            throw new Hit(r + " [" + values + "] [" + query + "]");
          });
    }
    return server.build().start();
  }

  private static String hit(Runnable call) {
    Throwable t = catchThrowable(call::run);
    assertThat(t).isInstanceOf(ApiException.class);
    ApiException e = (ApiException) t;
    assertThat(e.error().code()).as(e.getMessage()).isEqualTo("hit");
    return e.getMessage();
  }

  private static Set<String> calls(List<String> hits) {
    return hits.stream()
        .map(h -> h.substring(0, h.indexOf(" [")))
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }

  @Test
  void theAgentClientCallsEveryAgentRouteAsDeclared() {
    Path socket = dir.resolve("agent.sock");
    try (RestServer server = stub(AgentRoutes.table(), socket);
        AgentClient c = new AgentClient(new AgentEndpoint.Unix(socket))) {
      List<String> hits = new ArrayList<>();
      Consumer<Runnable> call = r -> hits.add(hit(r));
      call.accept(c::host);
      call.accept(c::load);
      call.accept(c::manager);
      call.accept(() -> c.bindManager(null));
      call.accept(c::listVms);
      call.accept(() -> c.createVm(null));
      call.accept(() -> c.vm("web 1"));
      call.accept(() -> c.start("web"));
      call.accept(() -> c.stop("web", true, Duration.ofSeconds(7)));
      call.accept(() -> c.pause("web"));
      call.accept(() -> c.resume("web"));
      call.accept(() -> c.moveDisk("web", "disk 0", null));
      call.accept(() -> c.delete("web", true));
      call.accept(() -> c.console("web", 4096));
      call.accept(() -> c.migrate("web", null));
      call.accept(c::migrations);
      call.accept(() -> c.migration("m-1"));
      call.accept(() -> c.abortMigration("m-1"));
      call.accept(() -> c.setBandwidth("m-1", DataRate.ofMegabitsPerSecond(100)));
      call.accept(() -> c.reportOutage("m-1", 12));
      call.accept(() -> c.checkIncoming(null));
      call.accept(c::openBandwidthSink);
      call.accept(() -> c.prepareIncoming(null));
      call.accept(() -> c.incomingStatus("i-1"));
      call.accept(() -> c.keepAlive("i-1"));
      call.accept(() -> c.handover("i-1", 3));
      call.accept(() -> c.recoverPostcopy("i-1"));
      call.accept(() -> c.abortIncoming("i-1"));

      assertThat(hits)
          .contains(
              "GET /v1/vms/{name} [web 1] []",
              "POST /v1/vms/{name}/stop [web] [force=true,timeout=PT7S]",
              "POST /v1/vms/{name}/disks/{disk}/move [web,disk 0] []",
              "DELETE /v1/vms/{name} [web] [force=true]",
              "GET /v1/vms/{name}/console [web] [bytes=4096]",
              "POST /v1/incoming/{id}/handover [i-1] []");
      List<String> declared =
          AgentRoutes.table().routes().stream()
              .filter(r -> r != AgentRoutes.EVENTS)
              .map(Route::toString)
              .toList();
      assertThat(calls(hits)).containsExactlyInAnyOrderElementsOf(declared);
      assertThat(server.served()).hasSameSizeAs(AgentRoutes.table().routes());
    }
  }

  @Test
  void theManagerClientCallsEveryManagerRouteAsDeclared() {
    Path socket = dir.resolve("manager.sock");
    try (RestServer server = stub(ManagerRoutes.table(), socket);
        ManagerClient c = new ManagerClient(new AgentEndpoint.Unix(socket))) {
      List<String> hits = new ArrayList<>();
      Consumer<Runnable> call = r -> hits.add(hit(r));
      call.accept(c::hosts);
      call.accept(() -> c.host("host-a"));
      call.accept(() -> c.addHost("http://198.18.0.1:7070"));
      call.accept(() -> c.removeHost("host-a"));
      call.accept(() -> c.enterMaintenance("host-a"));
      call.accept(() -> c.maintenance("host-a"));
      call.accept(() -> c.exitMaintenance("host-a"));
      call.accept(c::vms);
      call.accept(() -> c.vm("web"));
      call.accept(() -> c.createVm(null));
      call.accept(() -> c.lease("web"));
      call.accept(() -> c.transferLease("web", null));
      call.accept(() -> c.activateLease("web", null));
      call.accept(() -> c.reclaimLease("web", null));
      call.accept(() -> c.returnLease("web", null));
      call.accept(() -> c.migrate(null));
      call.accept(c::migrations);
      call.accept(() -> c.migration("cm-1"));
      call.accept(() -> c.abortMigration("cm-1"));
      call.accept(() -> c.setBandwidth("cm-1", DataRate.ofMegabitsPerSecond(10)));
      call.accept(c::balance);
      call.accept(() -> c.setBalanceSettings(null));
      call.accept(() -> c.applyBalance(List.of("web")));
      call.accept(c::limits);
      call.accept(() -> c.setLimits(null));
      call.accept(c::metrics);

      assertThat(hits).contains("DELETE /v1/hosts/{name}/maintenance [host-a] []");
      List<String> declared =
          ManagerRoutes.table().routes().stream()
              .filter(r -> r != ManagerRoutes.EVENTS)
              .map(Route::toString)
              .toList();
      assertThat(calls(hits)).containsExactlyInAnyOrderElementsOf(declared);
      assertThat(server.served()).hasSameSizeAs(ManagerRoutes.table().routes());
    }
  }

  @Test
  void pathValuesAreEncodedAsOneSegment() {
    assertThat(AgentRoutes.MOVE_DISK.at("a b", "x/y?z").uri())
        .isEqualTo("/v1/vms/a%20b/disks/x%2Fy%3Fz/move");
    assertThat(AgentRoutes.STOP.at("web").with(AgentRoutes.FORCE, false).uri())
        .isEqualTo("/v1/vms/web/stop?force=false");
  }

  @Test
  void aClientCannotSendWhatTheServerWouldRefuse() {
    assertThat(
            catchThrowable(
                () ->
                    AgentRoutes.STOP
                        .at("web")
                        .with(AgentRoutes.STOP_TIMEOUT, Duration.ofMinutes(11))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout=660s is out of range 0..600s");
    assertThat(catchThrowable(() -> AgentRoutes.VM.at()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("GET /v1/vms/{name} takes 1 path values, not 0");
    assertThat(catchThrowable(() -> AgentRoutes.VM.at("web").with(AgentRoutes.FORCE, true)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("GET /v1/vms/{name} has no query parameter force");
  }
}
