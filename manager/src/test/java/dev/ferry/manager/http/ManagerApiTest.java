package dev.ferry.manager.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.manager.Manager;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real manager (SQLite inventory, no hosts) on loopback refuses bad requests the way the agent
 * does: the same statuses and messages, from the one REST server both use. Raw HTTP, so malformed
 * bodies can be sent.
 */
@Timeout(60)
class ManagerApiTest {
  @TempDir static Path dir;
  private static Manager manager;
  private static HttpClient http;
  private static URI base;

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

  private static HttpResponse<String> send(
      String method, String path, String contentType, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(Duration.ofSeconds(10))
            .header(
                "Authorization", "Bearer " + Files.readString(dir.resolve("admin.token")).strip());
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void assertRefused(HttpResponse<String> r, int status, String... phrases) {
    assertThat(r.statusCode()).as("status of %s", r.body()).isEqualTo(status);
    assertThat(r.body()).contains("\"status\":" + status);
    for (String p : phrases) {
      assertThat(r.body()).contains(p);
    }
  }

  @Test
  void unknownEndpointsAndWrongMethodsAreRefusedAsJson() throws Exception {
    assertRefused(
        send("GET", "/v1/nothing-here", null, null),
        404,
        "\"code\":\"not_found\"",
        "no such endpoint: GET /v1/nothing-here");
    assertRefused(
        send("DELETE", "/v1/vms", null, null),
        405,
        "\"code\":\"method_not_allowed\"",
        "DELETE /v1/vms");
  }

  @Test
  void bodiesAreCheckedLikeTheAgentChecksThem() throws Exception {
    assertRefused(
        send(
            "POST",
            "/v1/hosts",
            "application/json",
            "{\"url\":\"http://198.18.0.1:7070\",\"colour\":1}"),
        400,
        "unknown field 'colour' in request");
    assertRefused(
        send("POST", "/v1/hosts", "application/json", "{\"url\": "), 400, "malformed JSON");
    assertRefused(
        send("POST", "/v1/hosts", "application/json", ""),
        400,
        "request body is empty (expected a JSON AddHostRequest)");
    assertRefused(
        send("POST", "/v1/hosts", "text/plain", "{\"url\":\"http://198.18.0.1:7070\"}"),
        415,
        "must be application/json");
    assertRefused(
        send("PUT", "/v1/queue/limits", "application/json", "{\"outgoingPerHost\":\"two\"}"),
        400,
        "at 'outgoingPerHost'");
  }

  @Test
  void aManagerRefusalKeepsItsStatusAndMessage() throws Exception {
    assertRefused(
        send("GET", "/v1/migrations/nope", null, null),
        404,
        "\"code\":\"manager\"",
        "no migration with id 'nope'");
  }

  @Test
  void theConsoleAndTheMetricsAreServedBesideTheApi() throws Exception {
    HttpResponse<String> console = send("GET", "/", null, null);
    assertThat(console.statusCode()).isEqualTo(200);
    assertThat(console.body()).containsIgnoringCase("<html");
    HttpResponse<String> metrics = send("GET", "/metrics", null, null);
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    assertThat(send("GET", "/v1/hosts", null, null).body()).isEqualTo("[]");
  }
}
