package dev.ferry.agent.fence;

import dev.ferry.agent.vm.VmService;
import dev.ferry.api.VmInfo;
import java.time.Duration;
import java.util.List;

/**
 * What the {@link LeaseFence} does to this host's VMs. In production it is the agent's {@code
 * VmService}; the fence's component test gives it its own.
 */
public interface FencedVms {
  List<VmInfo> list();

  /** Pauses the guest (its vCPUs stop; QEMU and its state stay). */
  void pause(String name);

  /** Kills the VM's QEMU; the definition stays, stopped. */
  void kill(String name);

  /**
   * The manager gave this host the lease back at {@code epoch} after a handover that was left
   * unsettled: recorded, then the guest resumes if it was meant to run.
   */
  void reclaimed(String name, long epoch);

  static FencedVms of(VmService vms) {
    return new FencedVms() {
      @Override
      public List<VmInfo> list() {
        return vms.list();
      }

      @Override
      public void pause(String name) {
        vms.pause(name);
      }

      @Override
      public void kill(String name) {
        vms.stop(name, true, Duration.ZERO);
      }

      @Override
      public void reclaimed(String name, long epoch) {
        vms.reclaimed(name, epoch);
      }
    };
  }
}
