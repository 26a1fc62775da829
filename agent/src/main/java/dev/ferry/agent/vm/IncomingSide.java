package dev.ferry.agent.vm;

import dev.ferry.agent.vm.QemuHost.TapRelease;
import dev.ferry.agent.vm.Verdict.Decision;
import dev.ferry.agent.vm.Verdict.Enter;
import dev.ferry.qemu.LaunchMode;
import dev.ferry.qmp.MigrationCommand.AnnounceSelf;
import dev.ferry.qmp.QmpClient;
import dev.ferry.qmp.QmpException;
import dev.ferry.qmp.VmCommand.Cont;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The destination side's hold on a VM being received ({@link Hold.Incoming}): its QEMU waits for
 * the stream and never runs the guest until {@link #takeOver}. Called from the incoming migration's
 * threads; each operation takes the VM's lock.
 */
final class IncomingSide implements IncomingHandle {
  private static final Logger log = LoggerFactory.getLogger(IncomingSide.class);

  private final ManagedVm vm;
  private final QemuProcess qemu;
  private final String id;

  private IncomingSide(ManagedVm vm, QemuProcess qemu, String id) {
    this.vm = vm;
    this.qemu = qemu;
    this.id = id;
  }

  /**
   * Launches QEMU waiting for migration {@code migrationId} on a newly defined VM; on failure the
   * VM is left stopped with the reason, and the failure thrown.
   */
  static IncomingHandle receive(ManagedVm vm, String migrationId) {
    return vm.locked(
        () -> {
          vm.enter(
              vm.mustEnter(new VmOp.Receive(migrationId)), "waiting for the incoming migration");
          QemuProcess q = Launch.qemu(vm, LaunchMode.INCOMING);
          vm.enter(
              vm.decide(new VmOp.Launched(q)), "QEMU pid " + q.pid() + " waits for the stream");
          return new IncomingSide(vm, q, migrationId);
        });
  }

  /** Re-attaches an incoming QEMU found after an agent restart; empty when there is none. */
  static Optional<IncomingHandle> recover(ManagedVm vm, String migrationId) {
    return vm.locked(
        () -> {
          if (!(vm.verdict(new VmOp.RecoverIncoming(migrationId)) instanceof Enter held)) {
            return Optional.empty();
          }
          vm.enter(held, "incoming migration " + migrationId + " recovered");
          return Optional.of(
              new IncomingSide(vm, held.next().process().orElseThrow(), migrationId));
        });
  }

  @Override
  public String name() {
    return vm.name();
  }

  @Override
  public QmpClient qmp() {
    return qemu.qmp();
  }

  @Override
  public boolean alive() {
    return vm.status().phase().runs(qemu) && qemu.isAlive();
  }

  @Override
  public void takeOver(long epoch) {
    vm.lockedRun(
        () -> {
          Decision d = vm.decide(new VmOp.TakeOver(id));
          VmRecord before = vm.record();
          vm.persist(
              before
                  .withOwnership(vm.hostName(), epoch)
                  .withDesired(VmRecord.Desired.RUNNING)
                  .withLastError(Optional.empty()),
              "take over");
          try {
            qemu.qmp().call(new Cont());
          } catch (RuntimeException e) {
            // The guest did not run here (or, if the reply alone was lost, ran for a moment):
            // its QEMU goes, and the ownership recorded a moment ago with it, so that this host
            // never claims a VM it does not run.
            log.error(
                "VM {}: cont failed at takeover ({}); QEMU killed", vm.name(), e.getMessage());
            qemu.kill();
            vm.persistOrLog(before);
            throw e;
          }
          try {
            qemu.qmp().call(AnnounceSelf.afterHandover());
          } catch (QmpException e) {
            log.warn("VM {}: announce after handover failed: {}", vm.name(), e.getMessage());
          }
          vm.enter(d, "taken over with epoch " + epoch + " and resumed");
        });
  }

  @Override
  public void discard(String why) {
    vm.lockedRun(
        () -> {
          String what = "incoming side discarded: " + why;
          Decision d = vm.decide(new VmOp.Discard(id));
          if (d instanceof Enter e && e.next().phase() instanceof VmPhase.Stopping) {
            vm.enter(e, "discarding the incoming side: " + why);
            qemu.kill();
            qemu.cleanUp(TapRelease.NOW);
            vm.enter(vm.decide(new VmOp.Ended(qemu)), what);
          } else {
            vm.enter(d, what);
          }
        });
  }
}
