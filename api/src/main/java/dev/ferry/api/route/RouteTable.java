package dev.ferry.api.route;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.ferry.api.auth.Role;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * All the routes of one API, in declaration order. A route table class declares each route as a
 * constant made through its table ({@code T.post("/v1/vms").body(VmCreateRequest.class)
 * .created(VmInfo.class)}), so the table is complete by construction: a route cannot be declared
 * without being listed, and a method and path cannot be declared twice.
 *
 * <p>Filled while its declaring class initialises; read-only afterwards.
 */
public final class RouteTable {
  private static final String JSON = "application/json";
  private static final String TEXT = "text/plain; charset=utf-8";
  private static final String EVENTS = "text/event-stream";

  private final String api;
  private final List<Route<?, ?>> routes = new CopyOnWriteArrayList<>();

  /**
   * @param api what the API is, for messages ("agent", "manager")
   */
  public RouteTable(String api) {
    this.api = api;
  }

  public String api() {
    return api;
  }

  /** The routes, in declaration order. */
  public List<Route<?, ?>> routes() {
    return Collections.unmodifiableList(routes);
  }

  public Builder<Void> get(String template) {
    return new Builder<>(Route.Method.GET, template, Void.class, List.of());
  }

  public Builder<Void> post(String template) {
    return new Builder<>(Route.Method.POST, template, Void.class, List.of());
  }

  public Builder<Void> put(String template) {
    return new Builder<>(Route.Method.PUT, template, Void.class, List.of());
  }

  public Builder<Void> delete(String template) {
    return new Builder<>(Route.Method.DELETE, template, Void.class, List.of());
  }

  private <B, R> Route<B, R> add(Route<B, R> route) {
    for (Route<?, ?> r : routes) {
      if (r.method() == route.method() && r.template().equals(route.template())) {
        throw new IllegalArgumentException(api + " API declares " + route + " twice");
      }
    }
    routes.add(route);
    return route;
  }

  /**
   * A route being declared: method and path so far, then its body and query parameters, and finally
   * its reply, which adds the route to the table.
   *
   * @param <B> the request body's type
   */
  public final class Builder<B> {
    private final Route.Method method;
    private final String template;
    private final Class<B> body;
    private final List<QueryParam<?>> query;
    private final Role access;

    private Builder(Route.Method method, String template, Class<B> body, List<QueryParam<?>> q) {
      this(method, template, body, q, method == Route.Method.GET ? Role.VIEWER : Role.OPERATOR);
    }

    private Builder(
        Route.Method method, String template, Class<B> body, List<QueryParam<?>> q, Role access) {
      this.method = method;
      this.template = template;
      this.body = body;
      this.query = q;
      this.access = access;
    }

    /** The route takes a JSON body of {@code type}. */
    public <C> Builder<C> body(Class<C> type) {
      return new Builder<>(method, template, type, query, access);
    }

    /** The route understands these query parameters. */
    public Builder<B> query(QueryParam<?>... params) {
      List<QueryParam<?>> all = new ArrayList<>(query);
      all.addAll(List.of(params));
      return new Builder<>(method, template, body, all, access);
    }

    /**
     * The least role a caller over the network needs; by default {@code viewer} for GET and {@code
     * operator} for the other methods.
     */
    public Builder<B> access(Role role) {
      return new Builder<>(method, template, body, query, role);
    }

    /** 200 with a JSON {@code type}. */
    public <R> Route<B, R> replies(Class<R> type) {
      return done(type, Route.Reply.JSON, 200, JSON);
    }

    /** 200 with a JSON value of a generic type, such as a list. */
    public <R> Route<B, R> replies(TypeReference<R> type) {
      return done(type.getType(), Route.Reply.JSON, 200, JSON);
    }

    /** 201 Created with a JSON {@code type}. */
    public <R> Route<B, R> created(Class<R> type) {
      return done(type, Route.Reply.JSON, 201, JSON);
    }

    /** 204 No Content. */
    public Route<B, Void> noContent() {
      return done(Void.class, Route.Reply.JSON, 204, JSON);
    }

    /** 200 with plain UTF-8 text. */
    public Route<B, String> text() {
      return text(TEXT);
    }

    /** 200 with text of {@code mediaType}. */
    public Route<B, String> text(String mediaType) {
      return done(String.class, Route.Reply.TEXT, 200, mediaType);
    }

    /** A stream of server-sent events, each a JSON {@code type}. */
    public <R> Route<B, R> events(Class<R> type) {
      return done(type, Route.Reply.EVENTS, 200, EVENTS);
    }

    private <R> Route<B, R> done(Type reply, Route.Reply kind, int status, String mediaType) {
      return add(
          new Route<>(method, template, body, reply, kind, status, mediaType, query, access));
    }
  }
}
