package dev.ferry.agent.http;

import static dev.ferry.api.AgentRoutes.HOST;
import static dev.ferry.api.AgentRoutes.HOST_LOAD;

import dev.ferry.api.HostFacts;
import dev.ferry.api.HostLoadSample;
import dev.ferry.api.http.RestServer;
import dev.ferry.api.http.RouteGroup;
import java.util.function.Supplier;

/** What this host is and what its VMs consume. */
record HostRoutes(Supplier<HostFacts> facts, Supplier<HostLoadSample> load) implements RouteGroup {
  @Override
  public void addTo(RestServer.Builder server) {
    server.on(HOST, call -> facts.get()).on(HOST_LOAD, call -> load.get());
  }
}
