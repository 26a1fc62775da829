package dev.ferry.api.http;

import dev.ferry.api.auth.Role;
import dev.ferry.api.route.Route;
import dev.ferry.api.route.RouteTable;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Malformed and hostile calls of every route of an API, for its server's tests: wrong types, empty
 * and null bodies, unknown fields, 10k-character, unicode and control-character names, traversal,
 * deep nesting, wrong methods and media types. {@link #wrongReplies} sends them and lists every
 * reply that is not a 4xx with a JSON message.
 */
public final class HostileRequests {
  private HostileRequests() {}

  /** One request. */
  public record Call(String method, String path, String contentType, String body) {
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

  static final List<String> NAMES =
      List.of(
          "nope",
          "../../etc/passwd",
          "x".repeat(10_000),
          "ωmega-vm",
          "vm\u0000null",
          "vm1;reboot",
          "m-0123456789ab/../../x",
          "%2e%2e%2f");

  static final List<String> BODIES =
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
          "{\"url\":\"http://u:p@198.18.0.1:1\",\"name\":\"\"}",
          "{",
          "\u0000\u0001",
          "{\"a\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}");

  /**
   * The hostile calls for every route of {@code table} except {@code benign} (routes that rightly
   * answer 2xx with no body and no known name, such as lists).
   */
  public static List<Call> against(RouteTable table, Set<Route<?, ?>> benign) {
    List<Call> calls = new ArrayList<>();
    for (Route<?, ?> r : table.routes()) {
      if (benign.contains(r)) {
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
        boolean served =
            table.routes().stream()
                .anyMatch(
                    x -> x.method().name().equals(other) && x.template().equals(r.template()));
        if (!other.equals(m) && !served) {
          calls.add(new Call(other, path(r, "nope"), "application/json", "{}"));
          break;
        }
      }
    }
    calls.add(new Call("GET", "/v1/../../etc/passwd", "application/json", null));
    return calls;
  }

  /**
   * Calls every route of {@code table} without credentials and with {@code viewer}'s token; returns
   * a line for every reply that is not 401 without credentials, or not 403 with the viewer token on
   * a route that needs more than {@code viewer}.
   */
  public static List<String> wrongAccess(URI base, RouteTable table, String viewer)
      throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    List<String> wrong = new ArrayList<>();
    for (Route<?, ?> r : table.routes()) {
      Call c = new Call(r.method().name(), path(r, "nope"), "application/json", "{}");
      try {
        HttpResponse<String> anonymous = send(http, base, c, Optional.empty());
        if (anonymous.statusCode() != 401
            || anonymous.headers().firstValue("WWW-Authenticate").isEmpty()) {
          wrong.add(anonymous.statusCode() + " without credentials for " + c);
        }
        HttpResponse<String> bogus =
            send(http, base, c, Optional.of("ferry_000000000000_" + "A".repeat(43)));
        if (bogus.statusCode() != 401) {
          wrong.add(bogus.statusCode() + " with an unknown token for " + c);
        }
        if (r.access() != Role.VIEWER) {
          HttpResponse<String> small = send(http, base, c, Optional.of(viewer));
          if (small.statusCode() != 403 || !small.body().contains("needs " + r.access().text())) {
            wrong.add(small.statusCode() + " with a viewer token for " + c + ": " + small.body());
          }
        }
      } catch (IOException e) {
        wrong.add("no reply for " + c + ": " + e);
      }
    }
    return wrong;
  }

  /** Sends each call; returns a line for every reply that is not a 4xx with a message. */
  public static List<String> wrongReplies(URI base, List<Call> calls) throws InterruptedException {
    return wrongReplies(base, calls, Optional.empty());
  }

  /** As {@link #wrongReplies(URI, List)}, presenting {@code token} with every call. */
  public static List<String> wrongReplies(URI base, List<Call> calls, Optional<String> token)
      throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    List<String> wrong = new ArrayList<>();
    for (Call c : calls) {
      HttpResponse<String> r;
      try {
        r = send(http, base, c, token);
      } catch (IOException e) {
        // The server closes the connection after refusing an unparseable request line (a NUL,
        // a 10k-character path); the client may already have queued the next request on it.
        try {
          r = send(http, base, c, token);
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
    return wrong;
  }

  /** Sends one call. */
  public static HttpResponse<String> send(HttpClient http, URI base, Call c)
      throws IOException, InterruptedException {
    return send(http, base, c, Optional.empty());
  }

  /** Sends one call, presenting {@code token} when given. */
  public static HttpResponse<String> send(HttpClient http, URI base, Call c, Optional<String> token)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + c.path().replace(" ", "%20")))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", c.contentType());
    token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
    b.method(
        c.method(),
        c.body() == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(c.body()));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String path(Route<?, ?> route, String value) {
    String p = route.template();
    for (String param : route.pathParams()) {
      p = p.replace("{" + param + "}", URLEncoder.encode(value, StandardCharsets.UTF_8));
    }
    return p;
  }
}
