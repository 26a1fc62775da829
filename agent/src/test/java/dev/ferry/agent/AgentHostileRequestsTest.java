package dev.ferry.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.AgentRoutes;
import dev.ferry.api.route.Route;
import dev.ferry.qemu.AcceleratorChoice;
import dev.ferry.qemu.QemuBinary;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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

  private static final List<String> NAMES =
      List.of(
          "nope",
          "../../etc/passwd",
          "x".repeat(10_000),
          "ωmega-vm",
          "vm\u0000null",
          "vm1;reboot",
          "m-0123456789ab/../../x",
          "%2e%2e%2f");

  private static final List<String> BODIES =
      List.of(
          "",
          "null",
          "[]",
          "123",
          "true",
          "\"text\"",
          "{}",
          "{\"unknown\":1}",
          "{\"name\":123,\"memory\":true}",
          "{\"name\":\"" + "n".repeat(10_000) + "\",\"memory\":\"128M\"}",
          "{\"name\":\"../x\",\"memory\":\"128M\",\"kernel\":\"/etc/shadow\"}",
          "{\"name\":\"vm\",\"memory\":\"128M\",\"kernel\":\"/tmp/a\\u0000b\"}",
          "{\"epoch\":-1}",
          "{\"bandwidth\":\"-5M\"}",
          "{\"destinationHost\":\"b\",\"destinationAgent\":\"exec:touch /tmp/x\"}",
          "{\"migration\":\"m-0123456789ab\",\"source\":\"a\",\"spec\":null}",
          "{\"url\":null}",
          "{",
          "\u0000\u0001",
          "{\"a\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}");

  @BeforeAll
  static void start() throws IOException {
    Path storage = Files.createDirectories(dir.resolve("images"));
    agent =
        Agent.start(
            new AgentConfig(
                "test-host",
                Optional.of(new InetSocketAddress("127.0.0.1", 0)),
                Optional.of(dir.resolve("agent.sock")),
                dir.resolve("state"),
                List.of(storage),
                AcceleratorChoice.TCG,
                QemuBinary.DEFAULT_PATH,
                Optional.empty(),
                Optional.empty()));
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    base = URI.create("http://127.0.0.1:" + agent.tcpPort());
  }

  @AfterAll
  static void stop() {
    if (agent != null) {
      agent.close();
    }
  }

  private record Call(String method, String path, String contentType, String body) {
    @Override
    public String toString() {
      String b = body == null ? "-" : body;
      return method
          + " "
          + (path.length() > 80 ? path.substring(0, 80) + "..." : path)
          + " ["
          + contentType
          + "] "
          + (b.length() > 60 ? b.substring(0, 60) + "..." : b);
    }
  }

  private static String path(Route<?, ?> route, String value) {
    String p = route.template();
    for (String param : route.pathParams()) {
      p = p.replace("{" + param + "}", URLEncoder.encode(value, StandardCharsets.UTF_8));
    }
    return p;
  }

  private static List<Call> hostileCalls() {
    List<Call> calls = new ArrayList<>();
    for (Route<?, ?> r : AgentRoutes.table().routes()) {
      if (BENIGN.contains(r)) {
        continue;
      }
      String m = r.method().name();
      for (String name : r.pathParams().isEmpty() ? List.of("") : NAMES) {
        calls.add(new Call(m, path(r, name), "application/json", "{}"));
      }
      if (r.takesBody()) {
        for (String body : BODIES) {
          calls.add(new Call(m, path(r, "nope"), "application/json", body));
        }
        calls.add(new Call(m, path(r, "nope"), "text/plain", "{}"));
        calls.add(new Call(m, path(r, "nope"), "application/x-www-form-urlencoded", "a=b"));
      }
      for (String other : List.of("PATCH", "PUT", "DELETE", "POST")) {
        if (!other.equals(m)
            && AgentRoutes.table().routes().stream()
                .noneMatch(
                    x -> x.method().name().equals(other) && x.template().equals(r.template()))) {
          calls.add(new Call(other, path(r, "nope"), "application/json", "{}"));
          break;
        }
      }
    }
    calls.add(new Call("POST", "/v1/vms?force=maybe", "application/json", "{}"));
    calls.add(new Call("DELETE", "/v1/vms/nope?force=2", "application/json", null));
    calls.add(new Call("GET", "/v1/vms/nope/console?bytes=-1", "application/json", null));
    calls.add(new Call("GET", "/v1/events?since=abc", "application/json", null));
    calls.add(new Call("GET", "/v1/../../etc/passwd", "application/json", null));
    return calls;
  }

  private static HttpResponse<String> send(Call c) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + c.path().replace(" ", "%20")))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", c.contentType());
    b.method(
        c.method(),
        c.body() == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(c.body()));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
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
    List<String> wrong = new ArrayList<>();
    for (Call c : calls) {
      HttpResponse<String> r;
      try {
        r = send(c);
      } catch (IOException e) {
        // The server closes the connection after refusing an unparseable request line (a NUL,
        // a 10k-character path); the client may already have queued the next request on it.
        try {
          r = send(c);
        } catch (IOException again) {
          wrong.add("no reply for " + c + ": " + again);
          continue;
        }
      }
      if (r.statusCode() < 400 || r.statusCode() >= 500) {
        wrong.add(r.statusCode() + " for " + c + ": " + r.body());
      } else if (!r.body().contains("\"message\"")) {
        wrong.add(r.statusCode() + " without a message for " + c + ": " + r.body());
      }
    }
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
