package dev.ferry.agent.vm;

import dev.ferry.agent.vm.QemuHost.TapRelease;
import dev.ferry.api.AgentEvent;
import dev.ferry.qmp.QmpEvent;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what a VM's QEMU reports into lifecycle operations: vCPUs stopping and resuming, and the
 * process ending, as asked (guest power-off) or not (a crash). Events about a process that is no
 * longer the VM's are dropped by the lifecycle. Callbacks arrive on QMP's event thread and on the
 * process's exit thread (see {@link QemuProcess#watch}).
 */
final class VmWatch implements QemuProcess.Watcher {
  private static final Logger log = LoggerFactory.getLogger(VmWatch.class);

  private final ManagedVm vm;

  VmWatch(ManagedVm vm) {
    this.vm = vm;
  }

  @Override
  public void onEvent(QemuProcess q, QmpEvent event) {
    switch (event) {
      case QmpEvent.Stop s -> vcpus(q, false, "vCPUs stopped");
      case QmpEvent.Resume s -> vcpus(q, true, "vCPUs resumed");
      default -> {}
    }
    if (!(event instanceof QmpEvent.Migration || event instanceof QmpEvent.MigrationPass)) {
      vm.publish(AgentEvent.Type.GUEST_EVENT, Optional.empty(), "QEMU event " + event.eventName());
    }
  }

  private void vcpus(QemuProcess q, boolean running, String why) {
    // On QMP's event thread, which the migration's listeners share: never wait for the lock.
    // When it is taken, an operation of ours is under way and sets the state itself.
    vm.tryLocked(() -> vm.enter(vm.decide(new VmOp.Vcpus(q, running)), why));
  }

  @Override
  public void onMonitorClosed(QemuProcess q, boolean exited) {
    vm.lockedRun(
        () -> {
          if (!vm.status().phase().runs(q)) {
            return; // whoever ended it has dealt with it
          }
          if (!exited) {
            log.warn(
                "VM {}: QMP connection closed but QEMU pid {} is still alive", vm.name(), q.pid());
            return;
          }
          if (q.guestPoweredOff()) {
            vm.persistOrLog(vm.record().stopped());
            q.cleanUp(TapRelease.NOW);
            vm.enter(vm.decide(new VmOp.Ended(q)), "guest powered off");
          } else {
            String why = "QEMU exited unexpectedly: " + q.logTail();
            vm.persistOrLog(vm.record().withLastError(Optional.of(why)));
            q.cleanUp(TapRelease.NOW);
            vm.enter(vm.decide(new VmOp.Died(q, why)), why);
          }
        });
  }
}
