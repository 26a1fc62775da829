package dev.ferry.manager.http;

import static dev.ferry.api.ManagerRoutes.EVENTS;
import static dev.ferry.api.ManagerRoutes.METRICS;

import dev.ferry.api.http.RestServer;
import dev.ferry.api.http.RouteGroup;
import dev.ferry.manager.Operations;

/** What happened (the event log) and how things stand (Prometheus metrics). */
record MonitoringRoutes(Operations ops) implements RouteGroup {
  /** How many events the console is shown, newest first. */
  private static final int RECENT_EVENTS = 200;

  @Override
  public void addTo(RestServer.Builder server) {
    server
        .on(EVENTS, call -> ops.events().recent(RECENT_EVENTS))
        .on(METRICS, call -> ops.metrics().scrape());
  }
}
