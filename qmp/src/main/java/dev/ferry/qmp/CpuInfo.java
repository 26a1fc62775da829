package dev.ferry.qmp;

import java.util.Objects;
import java.util.Optional;

/**
 * One vCPU from {@code query-cpus-fast}.
 *
 * @param threadId the host thread running this vCPU
 * @param target the QEMU target, e.g. {@code x86_64}
 */
public record CpuInfo(
    int cpuIndex, String qomPath, long threadId, String target, Optional<Topology> props) {

  public CpuInfo {
    Objects.requireNonNull(qomPath, "qomPath");
    Objects.requireNonNull(target, "target");
    props = props == null ? Optional.empty() : props;
  }

  /** Where the vCPU sits in the guest's topology; members the machine lacks are empty. */
  public record Topology(
      Optional<Integer> nodeId,
      Optional<Integer> socketId,
      Optional<Integer> dieId,
      Optional<Integer> clusterId,
      Optional<Integer> coreId,
      Optional<Integer> threadId) {}
}
