package dev.ferry.agent.http;

import static dev.ferry.api.AgentRoutes.ABORT_MIGRATION;
import static dev.ferry.api.AgentRoutes.MIGRATE;
import static dev.ferry.api.AgentRoutes.MIGRATION;
import static dev.ferry.api.AgentRoutes.MIGRATIONS;
import static dev.ferry.api.AgentRoutes.REPORT_OUTAGE;
import static dev.ferry.api.AgentRoutes.SET_BANDWIDTH;

import dev.ferry.agent.migration.outgoing.OutgoingMigrations;
import dev.ferry.api.http.RestServer;
import dev.ferry.api.http.RouteGroup;

/** Outgoing live migrations: start one, follow it, abort it, change its cap. */
record MigrationRoutes(OutgoingMigrations migrations) implements RouteGroup {
  @Override
  public void addTo(RestServer.Builder server) {
    server
        .on(MIGRATE, call -> migrations.migrate(call.path("name"), call.body()))
        .on(MIGRATIONS, call -> migrations.list())
        .on(MIGRATION, call -> migrations.get(call.path("id")))
        .on(ABORT_MIGRATION, call -> migrations.abort(call.path("id"), "requested by an operator"))
        .on(
            SET_BANDWIDTH,
            call -> migrations.setBandwidth(call.path("id"), call.body().bandwidth()))
        .on(
            REPORT_OUTAGE,
            call -> migrations.reportOutage(call.path("id"), call.body().outageMs()));
  }
}
