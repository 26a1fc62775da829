package dev.ferry.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.api.route.QueryParam;
import dev.ferry.api.route.Route;
import dev.ferry.api.route.RouteTable;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared server's request checks and error mapping, over real HTTP on loopback with a small
 * route table of its own.
 */
@Timeout(60)
class RestServerTest {
  /** A request body with a rule of its own, as the contract records have. */
  record Thing(String name, int size) {
    Thing {
      if (size < 0) {
        throw new IllegalArgumentException("size must not be negative, not " + size);
      }
    }
  }

  /** A domain exception that knows its status, like the agent's and the manager's. */
  static final class Missing extends RuntimeException implements ErrorReply {
    Missing(String message) {
      super(message);
    }

    @Override
    public int status() {
      return 404;
    }

    @Override
    public String code() {
      return "not_found";
    }
  }

  static final RouteTable T = new RouteTable("test");
  static final QueryParam<Boolean> FORCE = QueryParam.flag("force");
  static final QueryParam<Duration> WAIT =
      QueryParam.seconds("wait", Duration.ofSeconds(30), Duration.ofMinutes(10));
  static final QueryParam<Long> BYTES = QueryParam.number("bytes", 0, 0);
  static final Route<Thing, Thing> CREATE =
      T.post("/v1/things").body(Thing.class).created(Thing.class);
  static final Route<Void, String> GET =
      T.get("/v1/things/{name}").query(FORCE, WAIT, BYTES).text();
  static final Route<Void, Void> DELETE = T.delete("/v1/things/{name}").noContent();
  static final Route<Void, Thing> BROKEN = T.post("/v1/things/{name}/break").replies(Thing.class);

  @TempDir static Path dir;
  private static RestServer server;
  private static HttpClient http;
  private static URI base;

  @BeforeAll
  static void start() {
    server =
        RestServer.builder(T)
            .unauthenticated()
            .listen(Optional.of(new InetSocketAddress("127.0.0.1", 0)))
            .socket(Optional.of(dir.resolve("sub/test.sock")))
            .on(CREATE, call -> call.body())
            .on(
                GET,
                call -> {
                  String name = call.path("name");
                  if (name.equals("ghost")) {
                    throw new Missing("no thing named '" + name + "'");
                  }
                  return name
                      + " force="
                      + call.query(FORCE)
                      + " wait="
                      + call.query(WAIT)
                      + " bytes="
                      + call.query(BYTES);
                })
            .on(DELETE, call -> null)
            .on(
                BROKEN,
                call -> {
                  throw new IllegalStateException("the thing broke");
                })
            .build()
            .start();
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    base = URI.create("http://127.0.0.1:" + server.tcpPort());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static HttpResponse<String> send(
      String method, String path, String contentType, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
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

  private static HttpResponse<String> json(String method, String path, String body)
      throws Exception {
    return send(method, path, "application/json", body);
  }

  private static void assertError(HttpResponse<String> r, int status, String code, String text) {
    assertThat(r.statusCode()).as("status of %s", r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    assertThat(r.body())
        .contains("\"status\":" + status)
        .contains("\"code\":\"" + code + "\"")
        .contains(text);
  }

  @Test
  void aRouteAnswersWithItsDeclaredStatus() throws Exception {
    HttpResponse<String> created = json("POST", "/v1/things", "{\"name\":\"a\",\"size\":3}");
    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(created.body()).isEqualTo("{\"name\":\"a\",\"size\":3}");

    HttpResponse<String> deleted = send("DELETE", "/v1/things/a", null, null);
    assertThat(deleted.statusCode()).isEqualTo(204);
    assertThat(deleted.body()).isEmpty();

    HttpResponse<String> text = send("GET", "/v1/things/a%20b?force=yes&wait=7s", null, null);
    assertThat(text.statusCode()).isEqualTo(200);
    assertThat(text.headers().firstValue("Content-Type")).hasValue("text/plain;charset=utf-8");
    assertThat(text.body()).isEqualTo("a b force=true wait=PT7S bytes=0");
  }

  @Test
  void absentOrEmptyQueryParametersTakeTheirDefault() throws Exception {
    assertThat(send("GET", "/v1/things/a?force=&wait=", null, null).body())
        .isEqualTo("a force=false wait=PT30S bytes=0");
  }

  @Test
  void anUnknownPathIsNotFound() throws Exception {
    assertError(
        send("GET", "/v1/nothing-here", null, null),
        404,
        "not_found",
        "no such endpoint: GET /v1/nothing-here");
  }

  @Test
  void aKnownPathWithAnotherMethodIsMethodNotAllowed() throws Exception {
    assertError(
        send("PUT", "/v1/things/a", null, null), 405, "method_not_allowed", "PUT /v1/things/a");
  }

  @Test
  void aDomainErrorKeepsItsStatusCodeAndMessage() throws Exception {
    assertError(
        send("GET", "/v1/things/ghost", null, null), 404, "not_found", "no thing named 'ghost'");
  }

  @Test
  void anUnexpectedFailureIsAnInternalError() throws Exception {
    assertError(send("POST", "/v1/things/a/break", null, null), 500, "internal", "the thing broke");
  }

  @Test
  void malformedJsonIsABadRequest() throws Exception {
    assertError(
        json("POST", "/v1/things", "{\"name\": \"a\", "), 400, "bad_request", "malformed JSON");
  }

  @Test
  void anUnknownFieldIsRefusedByName() throws Exception {
    assertError(
        json("POST", "/v1/things", "{\"name\":\"a\",\"size\":1,\"colour\":\"red\"}"),
        400,
        "bad_request",
        "unknown field 'colour' in request");
  }

  @Test
  void aValueOfTheWrongTypeNamesItsField() throws Exception {
    assertError(
        json("POST", "/v1/things", "{\"name\":\"a\",\"size\":\"big\"}"),
        400,
        "bad_request",
        "at 'size'");
  }

  @Test
  void aValueTheRecordRefusesCarriesTheRecordsReason() throws Exception {
    assertError(
        json("POST", "/v1/things", "{\"name\":\"a\",\"size\":-1}"),
        400,
        "bad_request",
        "size must not be negative, not -1");
  }

  @Test
  void anEmptyOrNullBodyIsRefused() throws Exception {
    assertError(
        json("POST", "/v1/things", ""),
        400,
        "bad_request",
        "request body is empty (expected a JSON Thing)");
    assertError(json("POST", "/v1/things", "null"), 400, "bad_request", "request body is null");
  }

  @Test
  void aTextBodyIsRefusedAsTheWrongMediaType() throws Exception {
    assertError(
        send("POST", "/v1/things", "text/plain", "{\"name\":\"a\",\"size\":1}"),
        415,
        "unsupported_media_type",
        "request body must be application/json (a JSON Thing), not text/plain");
  }

  @Test
  void jsonWithACharsetIsJson() throws Exception {
    assertThat(
            send(
                    "POST",
                    "/v1/things",
                    "application/json; charset=utf-8",
                    "{\"name\":\"a\",\"size\":1}")
                .statusCode())
        .isEqualTo(201);
  }

  @Test
  void badQueryParametersNameTheParameterTheValueAndTheRule() throws Exception {
    assertError(
        send("GET", "/v1/things/a?force=maybe", null, null),
        400,
        "bad_request",
        "force=maybe is not true or false");
    assertError(
        send("GET", "/v1/things/a?wait=soon", null, null),
        400,
        "bad_request",
        "wait=soon is not a duration such as 30s");
    assertError(
        send("GET", "/v1/things/a?wait=601s", null, null),
        400,
        "bad_request",
        "wait=601s is out of range 0..600s");
    assertError(
        send("GET", "/v1/things/a?bytes=ten", null, null),
        400,
        "bad_request",
        "bytes=ten is not a number");
    assertError(
        send("GET", "/v1/things/a?bytes=-1", null, null),
        400,
        "bad_request",
        "bytes=-1 is below 0");
  }

  @Test
  void aServerMissingARouteDoesNotBuild() {
    assertThatThrownBy(
            () ->
                RestServer.builder(T)
                    .listen(Optional.of(new InetSocketAddress("127.0.0.1", 0)))
                    .on(CREATE, c -> c.body())
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the test API declares routes without a handler")
        .hasMessageContaining("GET /v1/things/{name}")
        .hasMessageContaining("DELETE /v1/things/{name}");
  }

  @Test
  void aRouteOfAnotherTableOrTwiceIsRefused() {
    RouteTable other = new RouteTable("other");
    Route<Void, Void> foreign = other.get("/v1/foreign").noContent();
    RestServer.Builder b = RestServer.builder(T);
    assertThatThrownBy(() -> b.on(foreign, c -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("GET /v1/foreign is not a route of the test API");
    b.on(DELETE, c -> null);
    assertThatThrownBy(() -> b.on(DELETE, c -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("DELETE /v1/things/{name} is served twice");
  }

  @Test
  void aTableRefusesTheSameRouteTwice() {
    RouteTable t = new RouteTable("dup");
    t.get("/v1/x").noContent();
    assertThatThrownBy(() -> t.get("/v1/x").text())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dup API declares GET /v1/x twice");
  }

  @Test
  void everyRouteIsServed() {
    assertThat(server.served()).containsExactlyElementsOf(T.routes());
  }
}
