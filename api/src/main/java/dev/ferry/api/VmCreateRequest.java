package dev.ferry.api;

import dev.ferry.common.ByteSize;
import java.util.List;
import java.util.Optional;

/**
 * What a client gives to create a VM; the agent fills in the rest (UUID, pinned machine type, CPU
 * model, disk ids, MACs) and answers with the full {@link dev.ferry.qemu.VmSpec}.
 *
 * @param name unique name, {@code [a-z0-9][a-z0-9-]{0,39}}
 * @param vcpus number of virtual CPUs (default 1)
 * @param memory guest RAM, bytes or text such as {@code 512M}
 * @param machine machine type or alias (default {@code pc}, stored resolved)
 * @param cpuModel QEMU CPU model (default {@code qemu64})
 * @param kernel for direct kernel boot: kernel image path; absent means firmware boot
 * @param initrd initramfs path for direct kernel boot
 * @param cmdline kernel command line for direct kernel boot
 * @param disks block devices in guest order
 * @param nics network interfaces in guest order
 * @param start start the VM right after creating it
 */
public record VmCreateRequest(
    String name,
    Optional<Integer> vcpus,
    ByteSize memory,
    Optional<String> machine,
    Optional<String> cpuModel,
    Optional<String> kernel,
    Optional<String> initrd,
    Optional<String> cmdline,
    List<Disk> disks,
    List<Nic> nics,
    Optional<Boolean> start) {

  public VmCreateRequest {
    vcpus = vcpus == null ? Optional.empty() : vcpus;
    machine = machine == null ? Optional.empty() : machine;
    cpuModel = cpuModel == null ? Optional.empty() : cpuModel;
    kernel = kernel == null ? Optional.empty() : kernel;
    initrd = initrd == null ? Optional.empty() : initrd;
    cmdline = cmdline == null ? Optional.empty() : cmdline;
    disks = disks == null ? List.of() : List.copyOf(disks);
    nics = nics == null ? List.of() : List.copyOf(nics);
    start = start == null ? Optional.empty() : start;
  }

  /** A disk: image path, and optionally its format ({@code qcow2|raw}, else guessed). */
  public record Disk(String path, Optional<String> format, Optional<Boolean> readOnly) {
    public Disk {
      format = format == null ? Optional.empty() : format;
      readOnly = readOnly == null ? Optional.empty() : readOnly;
    }
  }

  /** A NIC: the host bridge its tap joins, and optionally a fixed MAC (else derived). */
  public record Nic(String bridge, Optional<String> mac) {
    public Nic {
      mac = mac == null ? Optional.empty() : mac;
    }
  }
}
