package dev.ferry.agent.vm;

import dev.ferry.agent.vm.Verdict.Enter;
import dev.ferry.qemu.VmSpec;
import dev.ferry.qmp.QmpClient;

/**
 * A running VM held while one of its disks moves to other storage on this host ({@link
 * Hold.DiskMove}). Called from the move's thread; each end takes the VM's lock.
 */
final class DiskMoveSide implements DiskMoveHandle {
  private final ManagedVm vm;
  private final QemuProcess qemu;
  private final Hold.DiskMove hold;

  private DiskMoveSide(ManagedVm vm, QemuProcess qemu, Hold.DiskMove hold) {
    this.vm = vm;
    this.qemu = qemu;
    this.hold = hold;
  }

  /** Takes hold of a running VM owned here; see {@link VmService#beginDiskMove}. */
  static DiskMoveHandle begin(ManagedVm vm, String moveId) {
    return vm.locked(
        () -> {
          Enter held = vm.mustEnter(new VmOp.BeginDiskMove(moveId));
          vm.enter(held, moveId + " started");
          return new DiskMoveSide(
              vm,
              held.next().process().orElseThrow(),
              (Hold.DiskMove) held.next().hold().orElseThrow());
        });
  }

  @Override
  public VmSpec spec() {
    return vm.record().spec();
  }

  @Override
  public QmpClient qmp() {
    return qemu.qmp();
  }

  /**
   * {@inheritDoc} A record that cannot be written fails this (the hold stays until {@link
   * #abandon}), with a message saying so.
   */
  @Override
  public void finish(VmSpec moved) {
    vm.lockedRun(
        () -> {
          vm.persist(vm.record().withSpec(moved), "record the moved disk of");
          vm.enter(vm.decide(new VmOp.LetGo(hold.id())), hold.id() + " done");
        });
  }

  @Override
  public void abandon(String why) {
    vm.lockedRun(
        () -> vm.enter(vm.decide(new VmOp.LetGo(hold.id())), hold.id() + " failed: " + why));
  }
}
