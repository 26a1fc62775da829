package dev.ferry.api;

import dev.ferry.common.ByteSize;
import java.time.Instant;
import java.util.List;

/**
 * What a host's VMs consume, sampled by its agent ({@code GET /v1/host/load}). CPU is given as
 * cumulative seconds so a caller turns two samples into a rate.
 *
 * @param at when the sample was taken
 * @param cores logical cores of the host
 * @param loadAverage the host's one-minute load average
 * @param memoryTotal physical memory
 * @param memoryCommitted memory given to VMs that have a QEMU process
 * @param vms one entry per VM with a QEMU process
 */
public record HostLoadSample(
    Instant at,
    int cores,
    double loadAverage,
    ByteSize memoryTotal,
    ByteSize memoryCommitted,
    List<Vm> vms) {

  /**
   * @param name the VM
   * @param cpuSeconds CPU time its QEMU has used since it started (user + system)
   * @param resident its QEMU's resident memory
   * @param memory memory given to the guest
   */
  public record Vm(String name, double cpuSeconds, ByteSize resident, ByteSize memory) {}
}
