package dev.ferry.agent.vm;

import dev.ferry.qemu.VmSpec;
import dev.ferry.qmp.QmpClient;

/**
 * A running VM held while one of its disks moves to other storage on the same host. While it is
 * open the VM refuses stop, pause, resume, delete and migration. Obtained from {@link
 * VmService#beginDiskMove}; exactly one of {@link #finish} or {@link #abandon} ends it.
 */
public interface DiskMoveHandle {
  VmSpec spec();

  /** The VM's monitor; shared with the VM's own monitoring. */
  QmpClient qmp();

  /** The disk now lives where {@code moved} says: record it. */
  void finish(VmSpec moved);

  /** The move did not happen; the VM runs on from its old disk. */
  void abandon(String why);
}
