package dev.ferry.agent.vm;

import dev.ferry.qemu.VmSpec;
import dev.ferry.qmp.QmpClient;

/**
 * The source side's hold on a VM while it migrates away. While a handle is open the VM refuses
 * stop, pause, resume and delete. Obtained from {@link VmService#beginOutgoing}; exactly one of
 * {@link #release} (after handover) or {@link #rollBack} (VM stays here) ends it.
 */
public interface OutgoingHandle {
  VmSpec spec();

  /** The VM's ownership epoch on this host. */
  long epoch();

  /** The source QEMU's monitor; shared with the VM's own monitoring. */
  QmpClient qmp();

  /** Whether the guest was running (not paused) when the migration began. */
  boolean wasRunning();

  /**
   * The destination owns the VM now: quit the source QEMU, release its taps and remove the VM from
   * this host. Never resumes the guest here.
   */
  void release(String newOwner, long newEpoch);

  /**
   * The manager gave the lease back at {@code epoch} after a failed handover: recorded before the
   * guest may resume here.
   */
  void reclaimed(long epoch);

  /** The migration did not happen: the VM stays here, resumed if it was running. */
  void rollBack();

  /**
   * The handover's outcome is unknown: the guest stays paused here (the destination may run it),
   * the migration lets go of the VM, and only an operator may resume it.
   */
  void keepPaused();
}
