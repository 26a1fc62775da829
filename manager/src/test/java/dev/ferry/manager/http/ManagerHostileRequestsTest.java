package dev.ferry.manager.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.ManagerRoutes;
import dev.ferry.api.auth.Role;
import dev.ferry.api.auth.TokenStore;
import dev.ferry.api.http.HostileRequests;
import dev.ferry.api.http.HostileRequests.Call;
import dev.ferry.api.route.Route;
import dev.ferry.manager.Manager;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every route of the manager called with malformed and hostile input ({@link HostileRequests}):
 * each answers 4xx with a message, none 5xx, the inventory (hosts, VMs, migrations, limits, balance
 * settings) is the same afterwards, and the manager still answers.
 */
class ManagerHostileRequestsTest {
  @TempDir static Path dir;
  private static Manager manager;
  private static HttpClient http;
  private static URI base;

  /** Routes that rightly answer 2xx with no body and no known name. */
  private static final Set<Route<?, ?>> BENIGN =
      Set.of(
          ManagerRoutes.HOSTS,
          ManagerRoutes.VMS,
          ManagerRoutes.MIGRATIONS,
          ManagerRoutes.BALANCE,
          ManagerRoutes.LIMITS,
          ManagerRoutes.EVENTS,
          ManagerRoutes.METRICS,
          ManagerRoutes.APPLY_BALANCE);

  @BeforeAll
  static void start() throws IOException {
    TestManagers.Running running = TestManagers.onLoopback(dir);
    manager = running.manager();
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    base = running.base();
  }

  @AfterAll
  static void stop() {
    if (manager != null) {
      manager.close();
    }
  }

  private static Optional<String> admin() throws IOException {
    return Optional.of(Files.readString(dir.resolve("admin.token")).strip());
  }

  @Test
  void overTcpEveryRouteWantsATokenAndAViewerChangesNothing() throws Exception {
    List<String> before = inventory();
    String viewer = TokenStore.open(dir.resolve("tokens.json")).add("watcher", Role.VIEWER).text();
    assertThat(HostileRequests.wrongAccess(base, ManagerRoutes.table(), viewer)).isEmpty();
    assertThat(inventory()).isEqualTo(before);
    assertThat(Files.readAllLines(dir.resolve("audit.log")))
        .anyMatch(l -> l.contains("\"who\":\"watcher\"") && l.contains("\"status\":403"));
  }

  private static String get(String path) throws Exception {
    var r =
        HostileRequests.send(http, base, new Call("GET", path, "application/json", null), admin());
    assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
    return r.body();
  }

  private static List<String> inventory() throws Exception {
    return List.of(
        get("/v1/hosts"),
        get("/v1/vms"),
        get("/v1/migrations"),
        get("/v1/queue/limits"),
        get("/v1/balance").replaceAll("\"(at|generatedAt|time)\":\"[^\"]*\"", ""));
  }

  @Test
  void everyHostileRequestIsA4xxAndChangesNothing() throws Exception {
    List<String> before = inventory();
    List<Call> calls = new ArrayList<>(HostileRequests.against(ManagerRoutes.table(), BENIGN));
    calls.add(new Call("POST", "/v1/hosts", "application/json", "{\"url\":null}"));
    calls.add(new Call("POST", "/v1/hosts", "application/json", "{\"url\":\"exec:id\"}"));
    for (String url : List.of("http://127.0.0.1:1/x", "http://u:p@127.0.0.1:1", "http://[::1")) {
      calls.add(new Call("POST", "/v1/hosts", "application/json", "{\"url\":\"" + url + "\"}"));
    }
    assertThat(calls).hasSizeGreaterThanOrEqualTo(200);
    List<String> wrong = HostileRequests.wrongReplies(base, calls, admin());
    assertThat(wrong).as("%d hostile requests", calls.size()).isEmpty();
    assertThat(inventory()).isEqualTo(before);
  }
}
