package dev.ferry.api.http;

import dev.ferry.api.route.QueryParam;
import dev.ferry.api.route.Route;
import io.javalin.http.Context;
import io.javalin.validation.ValidationError;
import java.util.List;
import java.util.Map;

/**
 * One request to a {@link Route}, as its handler sees it: the path's segments, the declared query
 * parameters (typed and checked), and the JSON body, already read and refused if it was empty,
 * malformed or not JSON. Lives for one request, on its (virtual) thread.
 *
 * @param <B> the request body's type
 */
public final class RestCall<B> {
  private static final String CONVERSION_FAILED = "TYPE_CONVERSION_FAILED";

  private final Route<B, ?> route;
  private final Context ctx;
  private final B body;

  RestCall(Route<B, ?> route, Context ctx, B body) {
    this.route = route;
    this.ctx = ctx;
    this.body = body;
  }

  public Route<B, ?> route() {
    return route;
  }

  /**
   * A segment of the path, decoded.
   *
   * @throws IllegalStateException when the route's template has no such segment
   */
  public String path(String name) {
    if (!route.pathParams().contains(name)) {
      throw new IllegalStateException(route + " has no path segment {" + name + "}");
    }
    return ctx.pathParam(name);
  }

  /**
   * A query parameter the route declares: its fallback when absent or empty.
   *
   * @throws RequestRejected (400) naming the parameter and the value when it is not of the
   *     parameter's type or out of its range
   */
  public <T> T query(QueryParam<T> param) {
    if (!route.query().contains(param)) {
      throw new IllegalStateException(route + " declares no query parameter " + param.name());
    }
    return query(ctx, param);
  }

  /** The request body; for a route that takes one. */
  public B body() {
    if (!route.takesBody()) {
      throw new IllegalStateException(route + " takes no body");
    }
    return body;
  }

  /** Javalin's context, for what this class does not cover (headers, the remote address). */
  public Context ctx() {
    return ctx;
  }

  /**
   * Reads {@code param} from any request, through Javalin's validation: {@code
   * ctx.queryParamAsClass(name, type).check(range)}; the converters for booleans and durations are
   * the ones {@link RestServer} registers.
   */
  public static <T> T query(Context ctx, QueryParam<T> param) {
    String raw = ctx.queryParam(param.name());
    if (raw == null || raw.isEmpty()) {
      return param.fallback();
    }
    return ctx.queryParamAsClass(param.name(), param.type())
        .check(param::accepts, param.rule())
        .getOrThrow(errors -> rejected(param, raw, errors));
  }

  private static RequestRejected rejected(
      QueryParam<?> param,
      String raw,
      Map<String, ? extends List<? extends ValidationError<?>>> e) {
    boolean unreadable =
        e.values().stream()
            .flatMap(List::stream)
            .anyMatch(v -> CONVERSION_FAILED.equals(v.getMessage()));
    return RequestRejected.badRequest(
        param.name()
            + "="
            + raw
            + (unreadable ? " is not " + param.expected() : " is " + param.rule()));
  }
}
