package dev.ferry.api.route;

import java.util.Objects;

/**
 * A request to one {@link Route}: its path with the segments filled in and the query parameters
 * set. Immutable; {@link #with} returns a new target.
 *
 * @param <B> the request body's type
 * @param <R> the reply's type
 */
public final class Target<B, R> {
  private final Route<B, R> route;
  private final String path;
  private final String query;

  Target(Route<B, R> route, String path, String query) {
    this.route = route;
    this.path = path;
    this.query = query;
  }

  public Route<B, R> route() {
    return route;
  }

  /**
   * This target with query parameter {@code param} set to {@code value}.
   *
   * @throws IllegalArgumentException when the route does not declare {@code param}, or the value is
   *     one the server would refuse
   */
  public <T> Target<B, R> with(QueryParam<T> param, T value) {
    if (!route.query().contains(param)) {
      throw new IllegalArgumentException(route + " has no query parameter " + param.name());
    }
    Objects.requireNonNull(value, param.name());
    if (!param.accepts(value)) {
      throw new IllegalArgumentException(
          param.name() + "=" + param.format(value) + " is " + param.rule());
    }
    String pair = param.name() + "=" + Route.encode(param.format(value));
    return new Target<>(route, path, query.isEmpty() ? pair : query + "&" + pair);
  }

  /** The path and query, e.g. {@code /v1/vms/web%201/stop?force=true&timeout=30s}. */
  public String uri() {
    return query.isEmpty() ? path : path + "?" + query;
  }

  @Override
  public String toString() {
    return route.method() + " " + uri();
  }
}
