package dev.ferry.agent.http;

import dev.ferry.agent.events.EventBus;
import dev.ferry.api.AgentEvent;
import dev.ferry.api.AgentRoutes;
import dev.ferry.api.http.RestCall;
import dev.ferry.api.http.RestServer;
import dev.ferry.api.http.RouteGroup;
import dev.ferry.api.route.QueryParam;
import io.javalin.http.Context;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's event stream: server-sent {@link AgentEvent}s, the backlog after {@code ?since=seq}
 * first, then as they are published; a comment every 15 s keeps idle connections open. Each client
 * holds one (virtual) thread for as long as it listens.
 */
record EventRoutes(EventBus events) implements RouteGroup {
  private static final Logger log = LoggerFactory.getLogger(EventRoutes.class);

  @Override
  public void addTo(RestServer.Builder server) {
    server.events(
        AgentRoutes.EVENTS,
        client -> {
          long since = longParam(client.ctx(), "since", 0);
          LinkedBlockingQueue<AgentEvent> queue = new LinkedBlockingQueue<>(10_000);
          client.keepAlive();
          EventBus.Subscription sub = events.subscribe(since, queue::offer);
          try {
            while (!client.terminated()) {
              AgentEvent e = queue.poll(15, TimeUnit.SECONDS);
              if (e == null) {
                client.sendComment("keep-alive");
              } else {
                client.sendEvent(e.type().text(), e, Long.toString(e.seq()));
              }
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } catch (RuntimeException e) {
            log.debug("event stream ended: {}", e.toString());
          } finally {
            sub.close();
            client.close();
          }
        });
  }

  /** A whole-number query parameter, read and checked through Javalin's validation. */
  private static long longParam(Context ctx, String name, long fallback) {
    return RestCall.query(ctx, QueryParam.number(name, fallback, Long.MIN_VALUE));
  }
}
