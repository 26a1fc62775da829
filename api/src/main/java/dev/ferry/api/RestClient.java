package dev.ferry.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.api.auth.CallerToken;
import dev.ferry.api.route.Route;
import dev.ferry.api.route.Target;
import dev.ferry.common.Json;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Transport;

/**
 * The JSON-over-HTTP plumbing shared by Ferry's REST clients: one Jetty client per peer, over TCP
 * or a unix socket, typed replies, {@link ApiException} for 4xx/5xx and an "unreachable" exception
 * of the subclass's choosing when no answer comes. Thread-safe.
 */
abstract class RestClient implements AutoCloseable {
  protected static final ObjectMapper JSON = Json.lenient();

  protected final AgentEndpoint endpoint;
  protected final HttpClient http;
  protected final Duration timeout;
  protected final Transport transport;
  private final String peer;

  /**
   * @param peer what the peer is, for messages ("agent", "manager")
   */
  protected RestClient(AgentEndpoint endpoint, Duration timeout, String peer) {
    this.endpoint = endpoint;
    this.timeout = timeout;
    this.peer = peer;
    this.transport =
        switch (endpoint) {
          case AgentEndpoint.Unix u -> new Transport.TCPUnix(u.socket());
          case AgentEndpoint.Tcp t -> Transport.TCP_IP;
        };
    ClientConnector connector = new ClientConnector();
    connector.setConnectTimeout(Duration.ofSeconds(5));
    this.http = new HttpClient(new HttpClientTransportOverHTTP(connector));
    http.setName("ferry-" + peer + "-client");
    http.setFollowRedirects(false);
    try {
      http.start();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the HTTP client", e);
    }
  }

  public AgentEndpoint endpoint() {
    return endpoint;
  }

  /** The innermost cause's message: what actually went wrong on the wire. */
  static String rootMessage(Throwable cause) {
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }

  /** The exception thrown when the peer does not answer at all. */
  protected abstract RuntimeException unreachable(Throwable cause);

  /** Calls a route that takes no body; the reply as the route declares it. */
  protected <R> R call(Target<Void, R> target) {
    return call(target, null);
  }

  /** Calls a route with {@code body} (null for none); the reply as the route declares it. */
  protected <B, R> R call(Target<B, R> target, B body) {
    Route<B, R> route = target.route();
    if (route.reply() == Route.Reply.TEXT) {
      @SuppressWarnings("unchecked") // a text route's reply type is String
      R text = (R) send(request(method(route), target.uri())).getContentAsString();
      return text;
    }
    if (route.reply() != Route.Reply.JSON) {
      throw new IllegalArgumentException(route + " is not a request-reply route");
    }
    return call(
        method(route), target.uri(), body, JSON.getTypeFactory().constructType(route.replyType()));
  }

  private static HttpMethod method(Route<?, ?> route) {
    return switch (route.method()) {
      case GET -> HttpMethod.GET;
      case POST -> HttpMethod.POST;
      case PUT -> HttpMethod.PUT;
      case DELETE -> HttpMethod.DELETE;
    };
  }

  protected <T> T call(HttpMethod method, String path, Object body, JavaType type) {
    Request req = request(method, path);
    if (body != null) {
      try {
        req.body(new StringRequestContent("application/json", JSON.writeValueAsString(body)));
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("cannot encode request: " + e.getMessage(), e);
      }
    }
    ContentResponse r = send(req);
    if (type.getRawClass() == Void.class || r.getStatus() == 204) {
      return null;
    }
    try {
      return JSON.readValue(r.getContent(), type);
    } catch (IOException e) {
      throw new IllegalStateException(
          peer + " at " + endpoint + " sent an unreadable reply to " + path + ": " + e.getMessage(),
          e);
    }
  }

  protected Request request(HttpMethod method, String path) {
    return authorized(
        http.newRequest(endpoint.baseUri().resolve(path))
            .transport(transport)
            .method(method)
            .accept("application/json")
            .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS));
  }

  /** Adds this process's token ({@link CallerToken}) to a request over TCP. */
  protected Request authorized(Request req) {
    if (endpoint instanceof AgentEndpoint.Tcp) {
      CallerToken.current()
          .ifPresent(t -> req.headers(h -> h.put(HttpHeader.AUTHORIZATION, t.header())));
    }
    return req;
  }

  protected ContentResponse send(Request req) {
    ContentResponse r;
    try {
      r = req.send();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unreachable(e);
    } catch (TimeoutException | ExecutionException e) {
      throw unreachable(e);
    }
    if (r.getStatus() >= 400) {
      throw new ApiException(errorOf(r));
    }
    return r;
  }

  protected static ApiError errorOf(ContentResponse r) {
    try {
      return JSON.readValue(r.getContent(), ApiError.class);
    } catch (IOException e) {
      return new ApiError(r.getStatus(), "http_" + r.getStatus(), r.getContentAsString());
    }
  }

  @Override
  public void close() {
    try {
      http.stop();
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop the HTTP client for " + endpoint, e);
    }
  }
}
