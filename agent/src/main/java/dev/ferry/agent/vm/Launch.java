package dev.ferry.agent.vm;

import dev.ferry.agent.AgentException;
import dev.ferry.agent.vm.QemuHost.TapRelease;
import dev.ferry.qemu.LaunchMode;
import dev.ferry.qemu.QemuException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Launching a VM's QEMU for a start or a receive, and failing such a launch cleanly: whatever was
 * launched is killed, its taps and runtime files go, the reason becomes the VM's last error, and
 * the VM leaves STARTING for STOPPED. Called by the starting operation, under the VM's lock.
 */
final class Launch {
  private static final Logger log = LoggerFactory.getLogger(Launch.class);

  private Launch() {}

  /** QEMU for {@code vm}, watched; on failure the VM is left STOPPED and the failure thrown. */
  static QemuProcess qemu(ManagedVm vm, LaunchMode mode) {
    QemuProcess q;
    try {
      q = QemuProcess.launch(vm.host(), vm.spec(), vm.paths(), mode);
    } catch (RuntimeException e) {
      throw failed(vm, Optional.empty(), e);
    }
    q.watch(vm.watcher());
    return q;
  }

  /**
   * Undoes a launch that failed with {@code e} ({@code launched}: the QEMU it got to, if any) and
   * returns the exception to throw.
   */
  static AgentException failed(ManagedVm vm, Optional<QemuProcess> launched, Exception e) {
    String why =
        launched
            .filter(q -> !q.qmp().isOpen())
            .map(q -> "QEMU exited during start: " + q.logTail())
            .orElse(
                e instanceof QemuException ? e.getMessage() : "start failed: " + e.getMessage());
    log.error("VM {}: {}", vm.name(), why);
    launched.ifPresent(
        q -> {
          q.kill();
          q.cleanUp(TapRelease.NOW);
        });
    Optional<String> unsaved =
        vm.persistOrLog(vm.record().stopped().withLastError(Optional.of(why)));
    vm.enter(vm.decide(new VmOp.LaunchFailed(why)), why);
    if (e instanceof AgentException ae && unsaved.isEmpty()) {
      return ae;
    }
    return new AgentException.Failed(
        "VM '"
            + vm.name()
            + "': "
            + why
            + unsaved.map(u -> "; and its record was not saved: " + u).orElse(""),
        e);
  }
}
