package dev.ferry.manager.http;

import static dev.ferry.api.ManagerRoutes.ABORT_MIGRATION;
import static dev.ferry.api.ManagerRoutes.LIMITS;
import static dev.ferry.api.ManagerRoutes.MIGRATE;
import static dev.ferry.api.ManagerRoutes.MIGRATION;
import static dev.ferry.api.ManagerRoutes.MIGRATIONS;
import static dev.ferry.api.ManagerRoutes.SET_BANDWIDTH;
import static dev.ferry.api.ManagerRoutes.SET_LIMITS;

import dev.ferry.api.http.RestServer;
import dev.ferry.api.http.RouteGroup;
import dev.ferry.manager.ManagerException;
import dev.ferry.manager.Operations;

/** The migration queue and its limits. */
record ClusterMigrationRoutes(Operations ops) implements RouteGroup {
  /** How many migrations the list answers with, newest first. */
  private static final int LISTED = 500;

  @Override
  public void addTo(RestServer.Builder server) {
    server
        .on(MIGRATIONS, call -> ops.queue().list(LISTED))
        .on(MIGRATE, call -> ops.migrate(call.body()))
        .on(
            MIGRATION,
            call -> {
              String id = call.path("id");
              return ops.queue()
                  .get(id)
                  .orElseThrow(
                      () -> new ManagerException(404, "no migration with id '" + id + "'"));
            })
        .on(ABORT_MIGRATION, call -> ops.queue().abort(call.path("id")))
        .on(
            SET_BANDWIDTH,
            call -> ops.queue().setBandwidth(call.path("id"), call.body().bandwidth()))
        .on(LIMITS, call -> ops.limits())
        .on(SET_LIMITS, call -> ops.setLimits(call.body()));
  }
}
