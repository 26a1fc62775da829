package dev.ferry.agent.migration.outgoing;

import dev.ferry.agent.vm.OutgoingHandle;
import dev.ferry.qemu.VmSpec;
import dev.ferry.qmp.QmpClient;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The source VM's hold as the engine sees it, over a real QMP client connected to the fake QEMU.
 * Records how the hold ended: exactly one of released, rolled back or kept paused.
 */
final class FakeOutgoingHandle implements OutgoingHandle {
  private final VmSpec spec;
  private final long epoch;
  private final QmpClient qmp;
  final List<String> endings = new CopyOnWriteArrayList<>();

  FakeOutgoingHandle(VmSpec spec, long epoch, QmpClient qmp) {
    this.spec = spec;
    this.epoch = epoch;
    this.qmp = qmp;
  }

  @Override
  public VmSpec spec() {
    return spec;
  }

  @Override
  public long epoch() {
    return epoch;
  }

  @Override
  public QmpClient qmp() {
    return qmp;
  }

  @Override
  public boolean wasRunning() {
    return true;
  }

  @Override
  public void release(String newOwner, long newEpoch) {
    endings.add("released to " + newOwner + " at epoch " + newEpoch);
  }

  @Override
  public void reclaimed(long newEpoch) {
    endings.add("reclaimed at epoch " + newEpoch);
  }

  @Override
  public void rollBack() {
    endings.add("rolled back");
  }

  @Override
  public void keepPaused() {
    endings.add("kept paused");
  }
}
