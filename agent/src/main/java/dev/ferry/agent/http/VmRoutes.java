package dev.ferry.agent.http;

import static dev.ferry.api.AgentRoutes.CONSOLE;
import static dev.ferry.api.AgentRoutes.CONSOLE_BYTES;
import static dev.ferry.api.AgentRoutes.CREATE_VM;
import static dev.ferry.api.AgentRoutes.DELETE_VM;
import static dev.ferry.api.AgentRoutes.FORCE;
import static dev.ferry.api.AgentRoutes.MOVE_DISK;
import static dev.ferry.api.AgentRoutes.PAUSE;
import static dev.ferry.api.AgentRoutes.RESUME;
import static dev.ferry.api.AgentRoutes.START;
import static dev.ferry.api.AgentRoutes.STOP;
import static dev.ferry.api.AgentRoutes.STOP_TIMEOUT;
import static dev.ferry.api.AgentRoutes.VM;
import static dev.ferry.api.AgentRoutes.VMS;

import dev.ferry.agent.diskmove.DiskMover;
import dev.ferry.agent.vm.VmService;
import dev.ferry.api.DiskMoveRequest;
import dev.ferry.api.http.RestServer;
import dev.ferry.api.http.RouteGroup;

/** The VM lifecycle, the console and the local disk move. */
record VmRoutes(VmService vms, DiskMover disks) implements RouteGroup {
  @Override
  public void addTo(RestServer.Builder server) {
    server
        .on(VMS, call -> vms.list())
        .on(CREATE_VM, call -> vms.create(call.body()))
        .on(VM, call -> vms.get(call.path("name")))
        .on(START, call -> vms.start(call.path("name")))
        .on(STOP, call -> vms.stop(call.path("name"), call.query(FORCE), call.query(STOP_TIMEOUT)))
        .on(PAUSE, call -> vms.pause(call.path("name")))
        .on(RESUME, call -> vms.resume(call.path("name")))
        .on(
            DELETE_VM,
            call -> {
              vms.delete(call.path("name"), call.query(FORCE));
              return null;
            })
        .on(CONSOLE, call -> vms.console(call.path("name"), call.query(CONSOLE_BYTES)))
        .on(
            MOVE_DISK,
            call -> {
              DiskMoveRequest req = call.body();
              return disks.move(
                  call.path("name"),
                  call.path("disk"),
                  req.targetDir(),
                  req.keepSource().orElse(false));
            });
  }
}
