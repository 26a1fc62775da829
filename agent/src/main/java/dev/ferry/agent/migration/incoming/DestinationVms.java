package dev.ferry.agent.migration.incoming;

import dev.ferry.agent.cluster.LeaseActivation;
import dev.ferry.agent.vm.IncomingHandle;
import dev.ferry.agent.vm.VmService;
import dev.ferry.api.IncomingCheck;
import dev.ferry.api.VmInfo;
import dev.ferry.qemu.DiskSpec;
import dev.ferry.qemu.VmSpec;
import dev.ferry.qmp.QmpClient;
import java.util.List;
import java.util.Optional;

/**
 * What the destination role asks of this host's VMs. In production it is the agent's {@code
 * VmService}; the component tests give it their own.
 */
public interface DestinationVms {
  /** The VM named so on this host, if any. */
  Optional<VmInfo> find(String name);

  /** Checks that the definition's boot files, bridges and machine type exist here. */
  void revalidateBootAndDevices(VmSpec spec);

  /** Whether this host can open the disk as the source names it. */
  IncomingCheck.DiskVisibility diskVisibility(DiskSpec disk);

  /** Defines the VM as incoming and starts its QEMU waiting for the stream. */
  IncomingHandle receive(VmSpec spec, String sourceHost, long epoch, String migrationId);

  /** The incoming side of a VM found after an agent restart, if its QEMU still lives. */
  Optional<IncomingHandle> incoming(String name, String migrationId);

  /** Removes a discarded incoming VM's definition (never one this host owns). */
  void forgetIncoming(String name);

  /** Names of VMs recorded as incoming (received, not handed over). */
  List<String> incomingNames();

  /**
   * Asks the manager (if bound) to settle the lease a handover moved here at {@code epoch}; the
   * guest may resume only once it answers {@link LeaseActivation.Activated}.
   */
  LeaseActivation activateLease(String vm, long epoch, String migrationId);

  /**
   * Gives back to {@code source} the lease activated here at {@code epoch} when the guest could not
   * be resumed; true when the manager has it back (or none is bound).
   */
  boolean giveBackLease(String vm, String source, long epoch, String migrationId);

  /** The monitor of the QEMU that runs {@code name} here, if one does. */
  Optional<QmpClient> liveMonitor(String name);

  /** Resumes a VM this host took over whose guest was left paused (an agent restart mid-way). */
  void resumeTakenOver(String name);

  /** The agent's own VMs. */
  static DestinationVms of(VmService vms) {
    return new DestinationVms() {
      @Override
      public Optional<VmInfo> find(String name) {
        return vms.list().stream().filter(v -> v.spec().name().equals(name)).findFirst();
      }

      @Override
      public void revalidateBootAndDevices(VmSpec spec) {
        vms.revalidateBootAndDevices(spec);
      }

      @Override
      public IncomingCheck.DiskVisibility diskVisibility(DiskSpec disk) {
        return vms.diskVisibility(disk);
      }

      @Override
      public IncomingHandle receive(VmSpec spec, String source, long epoch, String migrationId) {
        return vms.receive(spec, source, epoch, migrationId);
      }

      @Override
      public Optional<IncomingHandle> incoming(String name, String migrationId) {
        return vms.incoming(name, migrationId);
      }

      @Override
      public void forgetIncoming(String name) {
        vms.forgetIncoming(name);
      }

      @Override
      public List<String> incomingNames() {
        return vms.incomingNames();
      }

      @Override
      public LeaseActivation activateLease(String vm, long epoch, String migrationId) {
        return vms.manager().activate(vm, epoch, migrationId);
      }

      @Override
      public boolean giveBackLease(String vm, String source, long epoch, String migrationId) {
        return vms.manager().giveBack(vm, source, epoch, migrationId);
      }

      @Override
      public Optional<QmpClient> liveMonitor(String name) {
        return vms.liveMonitor(name);
      }

      @Override
      public void resumeTakenOver(String name) {
        vms.resume(name);
      }
    };
  }
}
