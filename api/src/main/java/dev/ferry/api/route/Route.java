package dev.ferry.api.route;

import dev.ferry.api.auth.Role;
import java.lang.reflect.Type;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One endpoint of a REST API, declared once and used by both ends: the server registers its handler
 * by it, the client builds its requests from it.
 *
 * <p>A route is a method, a path template with named segments ({@code /v1/vms/{name}/stop}), the
 * type of the JSON request body ({@code B}, {@code Void} when there is none), what the reply is
 * ({@code R}: a JSON value, plain text, or an event stream), the status of a successful reply, and
 * the query parameters it understands. Immutable; made by a {@link RouteTable}.
 *
 * @param <B> the request body's type
 * @param <R> the reply's type
 */
public final class Route<B, R> {
  private static final Pattern SEGMENT = Pattern.compile("\\{([a-z][a-zA-Z0-9]*)}");

  /** The HTTP methods Ferry's APIs use. */
  public enum Method {
    GET,
    POST,
    PUT,
    DELETE
  }

  /** What a successful reply carries. */
  public enum Reply {
    /** A JSON value of the reply type (or nothing, for 204). */
    JSON,
    /** Plain text, of the route's {@link #mediaType()}. */
    TEXT,
    /** Server-sent events, each a JSON value of the reply type. */
    EVENTS
  }

  private final Method method;
  private final String template;
  private final List<String> pathParams;
  private final Class<B> body;
  private final Type replyType;
  private final Reply reply;
  private final int status;
  private final String mediaType;
  private final List<QueryParam<?>> query;
  private final Role access;

  Route(
      Method method,
      String template,
      Class<B> body,
      Type replyType,
      Reply reply,
      int status,
      String mediaType,
      List<QueryParam<?>> query,
      Role access) {
    this.method = Objects.requireNonNull(method);
    this.access = Objects.requireNonNull(access);
    this.template = Objects.requireNonNull(template);
    this.body = Objects.requireNonNull(body);
    this.replyType = Objects.requireNonNull(replyType);
    this.reply = Objects.requireNonNull(reply);
    this.status = status;
    this.mediaType = Objects.requireNonNull(mediaType);
    this.query = List.copyOf(query);
    if (!template.startsWith("/")) {
      throw new IllegalArgumentException("a route's path starts with '/': " + template);
    }
    List<String> names = new ArrayList<>();
    Matcher m = SEGMENT.matcher(template);
    while (m.find()) {
      if (names.contains(m.group(1))) {
        throw new IllegalArgumentException(
            "path segment {" + m.group(1) + "} twice in " + template);
      }
      names.add(m.group(1));
    }
    this.pathParams = List.copyOf(names);
  }

  public Method method() {
    return method;
  }

  /** The least role a caller over the network needs. */
  public Role access() {
    return access;
  }

  /** The path with its named segments, e.g. {@code /v1/vms/{name}/stop}. */
  public String template() {
    return template;
  }

  /** The names of the path's segments, in order. */
  public List<String> pathParams() {
    return pathParams;
  }

  /** The request body's type; {@code Void} when the route takes none. */
  public Class<B> body() {
    return body;
  }

  public boolean takesBody() {
    return body != Void.class;
  }

  /** The reply's (possibly generic) type; {@code Void} when a success carries no body. */
  public Type replyType() {
    return replyType;
  }

  public Reply reply() {
    return reply;
  }

  /** The status of a successful reply: 200, 201 (created) or 204 (no content). */
  public int status() {
    return status;
  }

  /** The reply's media type. */
  public String mediaType() {
    return mediaType;
  }

  /** The query parameters this route understands. */
  public List<QueryParam<?>> query() {
    return query;
  }

  /**
   * A request to this route with the path's segments filled in, in {@link #pathParams()} order.
   *
   * @throws IllegalArgumentException when the number of values does not match
   */
  public Target<B, R> at(String... values) {
    if (values.length != pathParams.size()) {
      throw new IllegalArgumentException(
          this + " takes " + pathParams.size() + " path values, not " + values.length);
    }
    Matcher m = SEGMENT.matcher(template);
    StringBuilder path = new StringBuilder();
    int i = 0;
    while (m.find()) {
      String value = Objects.requireNonNull(values[i++], "path value");
      m.appendReplacement(path, Matcher.quoteReplacement(encode(value)));
    }
    m.appendTail(path);
    return new Target<>(this, path.toString(), "");
  }

  /** One path segment or query value, percent-encoded (a space is {@code %20}, not {@code +}). */
  static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** {@code POST /v1/vms/{name}/stop} */
  @Override
  public String toString() {
    return method + " " + template;
  }
}
