package dev.ferry.agent.migration.outgoing;

import dev.ferry.agent.cluster.LeaseOutcome;
import dev.ferry.agent.cluster.LeaseReclaim;
import dev.ferry.agent.vm.OutgoingHandle;
import dev.ferry.agent.vm.VmService;

/**
 * What the outgoing engine asks of this host's VMs and its manager link. In production it is the
 * agent's {@code VmService}; the component tests give the engine their own.
 */
public interface SourceVms {
  /** Takes hold of a running VM for migration {@code migrationId}. */
  OutgoingHandle beginOutgoing(String vm, String migrationId);

  /** Re-attaches a migration found in its journal after an agent restart. */
  OutgoingHandle resumeOutgoing(String vm, String migrationId, boolean wasRunning);

  /** The VM now lives on the destination: forget it here. */
  void forgetMigratedAway(String vm);

  /** Asks the manager (if bound) to move the VM's lease to {@code to}. */
  LeaseOutcome transferLease(String vm, String to, long epoch, String migrationId);

  /**
   * Asks the manager (if bound) to take back the lease moved to {@code to} from this host's {@code
   * epoch}, after a handover that failed.
   */
  LeaseReclaim reclaimLease(String vm, String to, long epoch, String migrationId);

  /** The agent's own VMs and manager link. */
  static SourceVms of(VmService vms) {
    return new SourceVms() {
      @Override
      public OutgoingHandle beginOutgoing(String vm, String migrationId) {
        return vms.beginOutgoing(vm, migrationId);
      }

      @Override
      public OutgoingHandle resumeOutgoing(String vm, String migrationId, boolean wasRunning) {
        return vms.resumeOutgoing(vm, migrationId, wasRunning);
      }

      @Override
      public void forgetMigratedAway(String vm) {
        vms.forgetMigratedAway(vm);
      }

      @Override
      public LeaseOutcome transferLease(String vm, String to, long epoch, String migrationId) {
        return vms.manager().transfer(vm, to, epoch, migrationId);
      }

      @Override
      public LeaseReclaim reclaimLease(String vm, String to, long epoch, String migrationId) {
        return vms.manager().reclaim(vm, to, epoch, migrationId);
      }
    };
  }
}
