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
    SpecRules.require(SpecRules.NAME, name, "VM name", "1-40 lower-case letters, digits or '-'");
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(memory, "memory");
    SpecRules.require(SpecRules.MODEL, machine, "machine type", "a QEMU machine type name");
    SpecRules.require(SpecRules.MODEL, cpuModel, "CPU model", "a QEMU CPU model name");
    Objects.requireNonNull(boot, "boot");
    if (vcpus < 1 || vcpus > SpecRules.MAX_VCPUS) {
      throw new IllegalArgumentException(
          "vcpus " + vcpus + " is out of range 1.." + SpecRules.MAX_VCPUS);
    }
    disks = List.copyOf(disks == null ? List.of() : disks);
    nics = List.copyOf(nics == null ? List.of() : nics);
    requireUnique(disks.stream().map(DiskSpec::id).toList(), "disk id");
    requireUnique(disks.stream().map(d -> d.path().normalize().toString()).toList(), "disk path");
    requireUnique(nics.stream().map(NicSpec::id).toList(), "NIC id");
    requireUnique(nics.stream().map(n -> n.mac().value()).toList(), "MAC address");
  }

  private static void requireUnique(List<String> values, String what) {
    var seen = new java.util.HashSet<String>();
    for (String v : values) {
      if (!seen.add(v)) {
        throw new IllegalArgumentException(what + " '" + SpecRules.shown(v) + "' appears twice");
      }
    }
  }
}
