package dev.ferry.manager.http;

import static dev.ferry.api.ManagerRoutes.ADD_HOST;
import static dev.ferry.api.ManagerRoutes.ENTER_MAINTENANCE;
import static dev.ferry.api.ManagerRoutes.EXIT_MAINTENANCE;
import static dev.ferry.api.ManagerRoutes.HOST;
import static dev.ferry.api.ManagerRoutes.HOSTS;
import static dev.ferry.api.ManagerRoutes.MAINTENANCE;
import static dev.ferry.api.ManagerRoutes.REMOVE_HOST;

import dev.ferry.api.http.RestServer;
import dev.ferry.api.http.RouteGroup;
import dev.ferry.manager.Operations;

/** The cluster's hosts and their maintenance mode. */
record ClusterHostRoutes(Operations ops) implements RouteGroup {
  @Override
  public void addTo(RestServer.Builder server) {
    server
        .on(HOSTS, call -> ops.hosts().list())
        .on(ADD_HOST, call -> ops.hosts().add(call.body().url()))
        .on(HOST, call -> ops.hosts().get(call.path("name")))
        .on(
            REMOVE_HOST,
            call -> {
              ops.hosts().remove(call.path("name"));
              return null;
            })
        .on(ENTER_MAINTENANCE, call -> ops.maintenance().enter(call.path("name")))
        .on(MAINTENANCE, call -> ops.maintenance().status(call.path("name")))
        .on(EXIT_MAINTENANCE, call -> ops.maintenance().exit(call.path("name")));
  }
}
