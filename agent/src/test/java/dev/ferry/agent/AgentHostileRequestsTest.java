package dev.ferry.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.AgentRoutes;
import dev.ferry.api.auth.Role;
import dev.ferry.api.auth.TokenStore;
import dev.ferry.api.http.HostileRequests;
import dev.ferry.api.http.HostileRequests.Call;
import dev.ferry.api.route.Route;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every route of the agent, called with malformed and hostile input: wrong types, empty and null
 * bodies, unknown fields, huge and odd names, traversal, control characters, wrong methods and
 * media types, and parallel duplicates. Each gets a 4xx naming the problem, none a 5xx, nothing
 * changes, and the agent still answers.
 */
class AgentHostileRequestsTest {
  @TempDir static Path dir;
  private static Agent agent;
  private static HttpClient http;
  private static URI base;

  /** Routes that legitimately answer 2xx without a body or a known VM. */
  private static final Set<Route<?, ?>> BENIGN =
      Set.of(
          AgentRoutes.HOST,
          AgentRoutes.HOST_LOAD,
          AgentRoutes.MANAGER,
          AgentRoutes.VMS,
          AgentRoutes.MIGRATIONS,
          AgentRoutes.EVENTS,
          AgentRoutes.BANDWIDTH_SINK);

  @BeforeAll
  static void start() throws IOException {
    Path storage = Files.createDirectories(dir.resolve("images"));
    agent = TestAgents.onLoopback(dir, storage);
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    base = URI.create("http://127.0.0.1:" + agent.tcpPort());
  }

  @AfterAll
  static void stop() {
    if (agent != null) {
      agent.close();
    }
  }

  private static List<Call> hostileCalls() {
    List<Call> calls = new ArrayList<>(HostileRequests.against(AgentRoutes.table(), BENIGN));
    calls.add(new Call("POST", "/v1/vms?force=maybe", "application/json", "{}"));
    calls.add(new Call("DELETE", "/v1/vms/nope?force=2", "application/json", null));
    calls.add(new Call("GET", "/v1/vms/nope/console?bytes=-1", "application/json", null));
    calls.add(new Call("GET", "/v1/events?since=abc", "application/json", null));
    return calls;
  }

  private static Optional<String> admin() throws IOException {
    return Optional.of(Files.readString(dir.resolve("state/admin.token")).strip());
  }

  private static HttpResponse<String> send(Call c) throws Exception {
    return HostileRequests.send(http, base, c, admin());
  }

  private static List<String> vmRecords() throws IOException {
    Path vms = dir.resolve("state/vms");
    if (!Files.isDirectory(vms)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(vms)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void everyHostileRequestIsA4xxAndChangesNothing() throws Exception {
    String vmsBefore = send(new Call("GET", "/v1/vms", "application/json", null)).body();
    String managerBefore = send(new Call("GET", "/v1/manager", "application/json", null)).body();
    List<String> recordsBefore = vmRecords();
    List<Call> calls = hostileCalls();
    assertThat(calls).hasSizeGreaterThanOrEqualTo(200);
    List<String> wrong = HostileRequests.wrongReplies(base, calls, admin());
    assertThat(wrong).as("%d hostile requests", calls.size()).isEmpty();
    assertThat(send(new Call("GET", "/v1/vms", "application/json", null)).body())
        .isEqualTo(vmsBefore);
    assertThat(send(new Call("GET", "/v1/manager", "application/json", null)).body())
        .isEqualTo(managerBefore);
    assertThat(vmRecords()).isEqualTo(recordsBefore);
    assertThat(send(new Call("GET", "/v1/host", "application/json", null)).statusCode())
        .isEqualTo(200);
  }

  @Test
  void overTcpEveryRouteWantsATokenAndAViewerChangesNothing() throws Exception {
    String vmsBefore = send(new Call("GET", "/v1/vms", "application/json", null)).body();
    String viewer =
        TokenStore.open(dir.resolve("state/tokens.json")).add("watcher", Role.VIEWER).text();
    assertThat(HostileRequests.wrongAccess(base, AgentRoutes.table(), viewer)).isEmpty();
    assertThat(send(new Call("GET", "/v1/vms", "application/json", null)).body())
        .isEqualTo(vmsBefore);
    assertThat(Files.readAllLines(dir.resolve("state/audit.log")))
        .as("mutating calls are audited, refused ones too")
        .anyMatch(l -> l.contains("\"who\":\"watcher\"") && l.contains("\"status\":403"))
        .anyMatch(l -> l.contains("\"status\":401"));
  }

  @Test
  void parallelDuplicatesOfABadRequestAreAllRefused() throws Exception {
    Call bad =
        new Call(
            "POST",
            "/v1/vms",
            "application/json",
            "{\"name\":\"dup\",\"memory\":\"128M\",\"kernel\":\"/nonexistent\"}");
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<HttpResponse<String>>> replies = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        replies.add(pool.submit(() -> send(bad)));
      }
      for (Future<HttpResponse<String>> f : replies) {
        assertThat(f.get().statusCode()).as(f.get().body()).isBetween(400, 499);
      }
    }
    assertThat(vmRecords()).isEmpty();
  }
}
