package dev.ferry.manager.balance;

/**
 * One host as the balancer sees it: its capacity, whether VMs may go there, and which hosts its VMs
 * can live-migrate to.
 *
 * @param name unique host name
 * @param cores CPU cores (hardware threads) its VMs share
 * @param memoryBytes memory its VMs may commit
 * @param schedulable up and not in maintenance: VMs may be placed or moved here. VMs already on an
 *     unschedulable host still count, but only {@link Evacuation} moves them
 * @param compatibility migration class (accelerator, CPU model, QEMU family); a VM moves only
 *     between hosts whose classes are equal
 */
public record HostLoad(
    String name, int cores, long memoryBytes, boolean schedulable, String compatibility) {

  /**
   * Share of each host's memory that no move or placement may commit (5 %): room for QEMU's own
   * overhead and for guests that grow.
   */
  public static final double MEMORY_HEADROOM = 0.05;

  public HostLoad {
    Checks.name(name, "host name");
    if (cores <= 0) {
      throw new IllegalArgumentException("host " + name + ": cores must be positive, got " + cores);
    }
    if (memoryBytes <= 0) {
      throw new IllegalArgumentException(
          "host " + name + ": memoryBytes must be positive, got " + memoryBytes);
    }
    Checks.name(compatibility, "host " + name + ": compatibility");
  }

  /** The most memory VMs may commit here once moves and placements keep the headroom free. */
  public long usableMemoryBytes() {
    return (long) Math.floor(memoryBytes * (1 - MEMORY_HEADROOM));
  }
}
