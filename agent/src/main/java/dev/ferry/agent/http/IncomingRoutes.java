package dev.ferry.agent.http;

import static dev.ferry.api.AgentRoutes.ABORT_INCOMING;
import static dev.ferry.api.AgentRoutes.BANDWIDTH_SINK;
import static dev.ferry.api.AgentRoutes.CHECK_INCOMING;
import static dev.ferry.api.AgentRoutes.HANDOVER;
import static dev.ferry.api.AgentRoutes.INCOMING;
import static dev.ferry.api.AgentRoutes.KEEPALIVE;
import static dev.ferry.api.AgentRoutes.PREPARE_INCOMING;
import static dev.ferry.api.AgentRoutes.RECOVER_POSTCOPY;

import dev.ferry.agent.migration.incoming.IncomingMigrations;
import dev.ferry.api.http.RestServer;
import dev.ferry.api.http.RouteGroup;

/** The destination's half of a migration, called by the source agent. */
record IncomingRoutes(IncomingMigrations incoming) implements RouteGroup {
  @Override
  public void addTo(RestServer.Builder server) {
    server
        .on(CHECK_INCOMING, call -> incoming.check(call.body()))
        .on(BANDWIDTH_SINK, call -> incoming.openSink())
        .on(PREPARE_INCOMING, call -> incoming.prepare(call.body()))
        .on(INCOMING, call -> incoming.status(call.path("id")))
        .on(KEEPALIVE, call -> incoming.keepAlive(call.path("id")))
        .on(HANDOVER, call -> incoming.handover(call.path("id"), call.body().epoch()))
        .on(RECOVER_POSTCOPY, call -> incoming.recoverPostcopy(call.path("id")))
        .on(ABORT_INCOMING, call -> incoming.abort(call.path("id"), "aborted by the source"));
  }
}
