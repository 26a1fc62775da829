package dev.ferry.agent.vm;

import dev.ferry.api.AgentEvent;
import dev.ferry.qemu.QemuLauncher;
import dev.ferry.qemu.RuntimePaths;
import dev.ferry.qemu.VmSpec;
import dev.ferry.qmp.QmpException;
import dev.ferry.qmp.VmCommand.QueryStatus;
import dev.ferry.qmp.VmCommand.QueryUuid;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds a VM's QEMU again after an agent restart, without disturbing the guest. A QEMU is adopted
 * only when three things agree: the pidfile names a live process, that process's command line
 * carries the VM's UUID (so a recycled pid is never adopted), and the monitor at the VM's QMP
 * socket answers {@code query-uuid} with the same UUID (so a socket left by another QEMU is never
 * taken for this one). Runs on the recovering thread, under the VM's lock.
 */
final class Adoption {
  private static final Logger log = LoggerFactory.getLogger(Adoption.class);

  private Adoption() {}

  /** What was found. */
  sealed interface Result {}

  /** The VM's QEMU, connected, and how it was found. */
  record Found(QemuProcess qemu, VmOp.Found as) implements Result {}

  /** No live QEMU of this VM. */
  record Absent() implements Result {}

  /** A QEMU is there but is not (provably) this VM's; it is left alone. */
  record Refused(String why) implements Result {}

  /**
   * Adopts {@code vm}'s QEMU, or records why there is none: a VM that should have been running is
   * then crashed, with the reason as its last error. Takes the VM's lock.
   *
   * @throws QmpException when QEMU lives but its monitor does not answer (the VM stays stopped)
   */
  static void adopt(ManagedVm vm) {
    vm.lockedRun(
        () -> {
          VmRecord.Desired desired = vm.record().desired();
          boolean incoming = desired == VmRecord.Desired.INCOMING;
          switch (find(vm.host(), vm.spec(), vm.paths(), incoming)) {
            case Found f -> {
              f.qemu().watch(vm.watcher());
              vm.become(vm.mustEnter(new VmOp.Adopted(f.qemu(), f.as())).next(), "re-adopted");
              String what =
                  "re-adopted running QEMU pid " + f.qemu().pid() + " (" + vm.state().text() + ")";
              log.info("VM {}: {}", vm.name(), what);
              vm.publish(AgentEvent.Type.VM_ADOPTED, Optional.of(vm.state()), what);
            }
            case Absent a ->
                notAdopted(
                    vm,
                    "QEMU was not running when the agent started",
                    !incoming && desired != VmRecord.Desired.STOPPED);
            case Refused r -> {
              log.error("VM {}: {}", vm.name(), r.why());
              notAdopted(vm, r.why(), true);
            }
          }
        });
  }

  private static void notAdopted(ManagedVm vm, String why, boolean expected) {
    Verdict.Decision d = vm.decide(new VmOp.NotAdopted(why, expected));
    if (d instanceof Verdict.Enter) {
      vm.persistOrLog(vm.record().withLastError(Optional.of(why)));
    }
    vm.enter(d, why);
  }

  /**
   * Looks for the QEMU of {@code spec}; {@code incoming} when the VM was being received.
   *
   * @throws QmpException when the process lives but its monitor does not answer
   */
  static Result find(QemuHost host, VmSpec spec, RuntimePaths paths, boolean incoming) {
    Optional<ProcessHandle> found = QemuLauncher.find(paths, spec.uuid().toString());
    if (found.isEmpty()) {
      return new Absent();
    }
    ProcessHandle process = found.get();
    QemuProcess qemu = QemuProcess.attach(host, spec, process, paths);
    try {
      UUID answered = qemu.qmp().call(new QueryUuid()).uuid();
      if (!answered.equals(spec.uuid())) {
        qemu.detach();
        return new Refused(
            "the monitor at "
                + paths.qmpSocket()
                + " belongs to VM "
                + answered
                + ", not to "
                + spec.uuid()
                + " (pid "
                + process.pid()
                + "); not adopted");
      }
      if (incoming) {
        return new Found(qemu, VmOp.Found.INCOMING);
      }
      boolean running = qemu.qmp().call(new QueryStatus()).running();
      return new Found(qemu, running ? VmOp.Found.RUNNING : VmOp.Found.PAUSED);
    } catch (RuntimeException e) {
      qemu.detach();
      throw e;
    }
  }
}
