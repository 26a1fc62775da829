package dev.ferry.qemu;

import dev.ferry.common.ByteSize;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * What a VM is: everything needed to start the same machine on any host. It is the unit that a
 * migration carries to the destination, so it holds no host-local runtime detail (pids, sockets,
 * tap names) and every field that changes guest-visible hardware is pinned (machine type, CPU
 * model, MAC addresses).
 *
 * @param name unique per cluster, {@code [a-z0-9][a-z0-9-]{0,39}}
 * @param uuid SMBIOS UUID, stable for the VM's life
 * @param vcpus number of virtual CPUs
 * @param memory guest RAM
 * @param machine a versioned machine type such as {@code pc-i440fx-7.2}, never an alias
 * @param cpuModel QEMU CPU model, e.g. {@code qemu64}
 * @param boot direct kernel boot or firmware boot
 * @param disks block devices in guest order
 * @param nics network interfaces in guest order
 */
public record VmSpec(
    String name,
    UUID uuid,
    int vcpus,
    ByteSize memory,
    String machine,
    String cpuModel,
    BootSpec boot,
    List<DiskSpec> disks,
    List<NicSpec> nics) {

  public VmSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(memory, "memory");
    Objects.requireNonNull(machine, "machine");
    Objects.requireNonNull(cpuModel, "cpuModel");
    Objects.requireNonNull(boot, "boot");
    disks = List.copyOf(disks == null ? List.of() : disks);
    nics = List.copyOf(nics == null ? List.of() : nics);
  }
}
