package dev.ferry.agent.vm;

import dev.ferry.agent.vm.QemuHost.TapRelease;
import dev.ferry.agent.vm.Verdict.Decision;
import dev.ferry.agent.vm.Verdict.Enter;
import dev.ferry.qemu.VmSpec;
import dev.ferry.qmp.QmpClient;
import dev.ferry.qmp.QmpException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source side's hold on a VM while it migrates away ({@link Hold.Outgoing}). Each method takes
 * the VM's lock, asks the lifecycle, and applies; called from the migration's thread.
 */
final class OutgoingSide implements OutgoingHandle {
  private static final Logger log = LoggerFactory.getLogger(OutgoingSide.class);

  private final ManagedVm vm;
  private final QemuProcess qemu;
  private final Hold.Outgoing hold;

  private OutgoingSide(ManagedVm vm, QemuProcess qemu, Hold.Outgoing hold) {
    this.vm = vm;
    this.qemu = qemu;
    this.hold = hold;
  }

  /** Takes hold of a running VM owned here; see {@link VmService#beginOutgoing}. */
  static OutgoingHandle begin(ManagedVm vm, String migrationId) {
    return vm.locked(
        () -> {
          Enter held = vm.mustEnter(new VmOp.BeginOutgoing(migrationId));
          vm.enter(held, "migration " + migrationId + " started");
          return of(vm, held.next());
        });
  }

  /** Takes hold again of a VM whose migration was found after an agent restart. */
  static OutgoingHandle recover(ManagedVm vm, String migrationId, boolean wasRunning) {
    return vm.locked(
        () -> {
          Enter held = vm.mustEnter(new VmOp.RecoverOutgoing(migrationId, wasRunning));
          vm.enter(held, "migration " + migrationId + " recovered after an agent restart");
          return of(vm, held.next());
        });
  }

  private static OutgoingSide of(ManagedVm vm, VmStatus held) {
    return new OutgoingSide(
        vm, held.process().orElseThrow(), (Hold.Outgoing) held.hold().orElseThrow());
  }

  @Override
  public VmSpec spec() {
    return vm.record().spec();
  }

  @Override
  public long epoch() {
    return vm.record().epoch();
  }

  @Override
  public QmpClient qmp() {
    return qemu.qmp();
  }

  @Override
  public boolean wasRunning() {
    return hold.wasRunning();
  }

  @Override
  public void release(String newOwner, long newEpoch) {
    vm.lockedRun(
        () -> {
          // Ownership first: from here on this host may never resume the guest.
          vm.persist(vm.record().withOwnership(newOwner, newEpoch), "release");
          String why = "handed over to " + newOwner + " (epoch " + newEpoch + ")";
          Decision d = vm.decide(new VmOp.Release(hold.id()));
          if (d instanceof Enter e && e.next().phase() instanceof VmPhase.Stopping) {
            vm.enter(e, why + "; its QEMU here goes");
            qemu.quitAfterHandover();
            qemu.cleanUp(TapRelease.IN_BACKGROUND);
            vm.enter(vm.decide(new VmOp.Ended(qemu)), why);
          } else {
            vm.enter(d, why);
          }
        });
  }

  @Override
  public void reclaimed(long epoch) {
    vm.lockedRun(
        () -> vm.persist(vm.record().withOwnership(vm.hostName(), epoch), "reclaim the lease of"));
  }

  @Override
  public void keepPaused() {
    vm.lockedRun(
        () -> {
          vm.enter(
              vm.decide(new VmOp.LetGo(hold.id())),
              "kept paused: handover of migration " + hold.id() + " unconfirmed");
          vm.persist(
              vm.record()
                  .withLastError(Optional.of("migration " + hold.id() + ": handover unconfirmed")),
              "record the unconfirmed handover of");
        });
  }

  @Override
  public void rollBack() {
    vm.lockedRun(
        () -> {
          if (!(vm.decide(new VmOp.RollBack(hold.id())) instanceof Enter e)) {
            return;
          }
          String why = "migration " + hold.id() + " ended; VM stays here";
          if (!(e.next().phase() instanceof VmPhase.Running)) {
            vm.enter(e, why);
            return;
          }
          try {
            StatusCheck.resumeIfPaused(qemu.qmp());
            vm.enter(e, why + " and runs");
          } catch (QmpException ex) {
            log.error("VM {}: could not resume after rollback: {}", vm.name(), ex.getMessage());
            vm.enter(e, why);
            vm.enter(
                vm.decide(new VmOp.Vcpus(qemu, false)),
                "could not resume after rollback: " + ex.getMessage());
          }
        });
  }
}
