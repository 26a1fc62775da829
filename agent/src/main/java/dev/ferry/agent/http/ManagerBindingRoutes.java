package dev.ferry.agent.http;

import static dev.ferry.api.AgentRoutes.BIND_MANAGER;
import static dev.ferry.api.AgentRoutes.MANAGER;

import dev.ferry.agent.cluster.ManagerLink;
import dev.ferry.api.http.RestServer;
import dev.ferry.api.http.RouteGroup;

/** Which manager this agent answers to. */
record ManagerBindingRoutes(ManagerLink manager) implements RouteGroup {
  @Override
  public void addTo(RestServer.Builder server) {
    server
        .on(MANAGER, call -> manager.binding())
        .on(BIND_MANAGER, call -> manager.bind(call.body()));
  }
}
