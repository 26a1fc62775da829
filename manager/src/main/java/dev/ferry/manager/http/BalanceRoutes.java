package dev.ferry.manager.http;

import static dev.ferry.api.ManagerRoutes.APPLY_BALANCE;
import static dev.ferry.api.ManagerRoutes.BALANCE;
import static dev.ferry.api.ManagerRoutes.BALANCE_SETTINGS;

import dev.ferry.api.http.RestServer;
import dev.ferry.api.http.RouteGroup;
import dev.ferry.manager.Operations;

/** The balancer: its view, its settings, applying its recommendations. */
record BalanceRoutes(Operations ops) implements RouteGroup {
  @Override
  public void addTo(RestServer.Builder server) {
    server
        .on(BALANCE, call -> ops.balance().status())
        .on(BALANCE_SETTINGS, call -> ops.balance().setSettings(call.body()))
        .on(APPLY_BALANCE, call -> ops.balance().apply(call.body().vms(), "operator"));
  }
}
