package dev.ferry.manager.http;

import static dev.ferry.api.ManagerRoutes.ACTIVATE_LEASE;
import static dev.ferry.api.ManagerRoutes.CREATE_VM;
import static dev.ferry.api.ManagerRoutes.LEASE;
import static dev.ferry.api.ManagerRoutes.RECLAIM_LEASE;
import static dev.ferry.api.ManagerRoutes.RETURN_LEASE;
import static dev.ferry.api.ManagerRoutes.TRANSFER_LEASE;
import static dev.ferry.api.ManagerRoutes.VM;
import static dev.ferry.api.ManagerRoutes.VMS;

import dev.ferry.api.http.RestServer;
import dev.ferry.api.http.RouteGroup;
import dev.ferry.manager.Operations;

/** The cluster's VMs and their leases. */
record ClusterVmRoutes(Operations ops) implements RouteGroup {
  @Override
  public void addTo(RestServer.Builder server) {
    server
        .on(VMS, call -> ops.vms().list())
        .on(CREATE_VM, call -> ops.vms().create(call.body()))
        .on(VM, call -> ops.vms().get(call.path("name")))
        .on(LEASE, call -> ops.vms().lease(call.path("vm")))
        .on(TRANSFER_LEASE, call -> ops.vms().transfer(call.path("vm"), call.body()))
        .on(ACTIVATE_LEASE, call -> ops.vms().activate(call.path("vm"), call.body()))
        .on(RECLAIM_LEASE, call -> ops.vms().reclaim(call.path("vm"), call.body()))
        .on(RETURN_LEASE, call -> ops.vms().giveBack(call.path("vm"), call.body()));
  }
}
