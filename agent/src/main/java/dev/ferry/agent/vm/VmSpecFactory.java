package dev.ferry.agent.vm;

import dev.ferry.agent.AgentException.BadRequest;
import dev.ferry.agent.network.TapDevices;
import dev.ferry.agent.storage.StorageRoots;
import dev.ferry.api.VmCreateRequest;
import dev.ferry.common.ByteSize;
import dev.ferry.qemu.BootSpec;
import dev.ferry.qemu.DiskFormat;
import dev.ferry.qemu.DiskSpec;
import dev.ferry.qemu.MacAddress;
import dev.ferry.qemu.NicSpec;
import dev.ferry.qemu.QemuBinary;
import dev.ferry.qemu.QemuException;
import dev.ferry.qemu.QemuImg;
import dev.ferry.qemu.VmSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Turns a create request into a complete, pinned {@link VmSpec}, or refuses it with a message that
 * names the problem. Checks everything that can be checked without starting anything: name, sizes,
 * machine type and CPU model known to this QEMU, image paths inside the storage roots, bridges
 * present.
 */
public final class VmSpecFactory {
  static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");
  static final ByteSize MIN_MEMORY = ByteSize.ofMiB(32);
  private static final int MAX_VCPUS = 64;
  private static final int MAX_DISKS = 16;
  private static final int MAX_NICS = 8;
  private static final String DEFAULT_MACHINE = "pc";
  private static final String DEFAULT_CPU = "qemu64";

  private final QemuBinary qemu;
  private final StorageRoots storage;
  private final TapDevices taps;
  private final ByteSize hostMemory;

  public VmSpecFactory(
      QemuBinary qemu, StorageRoots storage, TapDevices taps, ByteSize hostMemory) {
    this.qemu = qemu;
    this.storage = storage;
    this.taps = taps;
    this.hostMemory = hostMemory;
  }

  /** Validates a name as used in URLs and file names. */
  public static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new BadRequest(
          "VM name '"
              + name
              + "' is invalid: use 1-40 lower-case letters, digits or '-', starting with a letter"
              + " or digit");
    }
    return name;
  }

  public VmSpec build(VmCreateRequest r) {
    String name = checkName(r.name());
    int vcpus = r.vcpus().orElse(1);
    if (vcpus < 1 || vcpus > MAX_VCPUS) {
      throw new BadRequest("vcpus " + vcpus + " is out of range 1.." + MAX_VCPUS);
    }
    ByteSize memory = r.memory();
    if (memory == null) {
      throw new BadRequest("memory is required (e.g. \"512M\")");
    }
    if (memory.compareTo(MIN_MEMORY) < 0) {
      throw new BadRequest("memory " + memory + " is below the minimum of " + MIN_MEMORY);
    }
    if (memory.compareTo(hostMemory) > 0) {
      throw new BadRequest(
          "memory " + memory + " exceeds this host's physical memory of " + hostMemory);
    }
    String machineName = r.machine().orElse(DEFAULT_MACHINE);
    String machine =
        qemu.resolveMachine(machineName)
            .orElseThrow(
                () ->
                    new BadRequest(
                        "machine type '" + machineName + "' is unknown to QEMU " + qemu.version()));
    String cpu = r.cpuModel().orElse(DEFAULT_CPU);
    if (!qemu.supportsCpuModel(cpu)) {
      throw new BadRequest("CPU model '" + cpu + "' is unknown to QEMU " + qemu.version());
    }
    UUID uuid = UUID.randomUUID();
    return new VmSpec(name, uuid, vcpus, memory, machine, cpu, boot(r), disks(r), nics(r, uuid));
  }

  /**
   * Checks a complete spec received from another host against this host: images visible inside the
   * storage roots, bridges present, machine type and CPU model known to this QEMU.
   */
  public void revalidate(VmSpec spec) {
    revalidate(spec, true);
  }

  /** As {@link #revalidate(VmSpec)}, optionally leaving the disk images out. */
  public void revalidate(VmSpec spec, boolean includeDisks) {
    if (qemu.resolveMachine(spec.machine()).filter(spec.machine()::equals).isEmpty()) {
      throw new BadRequest(
          "machine type '" + spec.machine() + "' is unknown to this host's QEMU " + qemu.version());
    }
    if (!qemu.supportsCpuModel(spec.cpuModel())) {
      throw new BadRequest(
          "CPU model '" + spec.cpuModel() + "' is unknown to this host's QEMU " + qemu.version());
    }
    if (spec.memory().compareTo(hostMemory) > 0) {
      throw new BadRequest(
          "memory " + spec.memory() + " exceeds this host's physical memory of " + hostMemory);
    }
    switch (spec.boot()) {
      case BootSpec.Kernel k -> {
        storage.confine(k.kernel().toString(), "kernel");
        k.initrd().ifPresent(i -> storage.confine(i.toString(), "initrd"));
      }
      case BootSpec.Firmware f -> {}
    }
    if (includeDisks) {
      for (var d : spec.disks()) {
        storage.confine(d.path().toString(), "disk image");
      }
    }
    for (var n : spec.nics()) {
      if (!taps.bridgeExists(n.bridge())) {
        throw new BadRequest("bridge '" + n.bridge() + "' does not exist on this host");
      }
    }
  }

  /** Whether this host sees a disk image at the same path inside its storage roots. */
  public dev.ferry.api.IncomingCheck.DiskVisibility visibility(dev.ferry.qemu.DiskSpec d) {
    try {
      Path real = storage.confine(d.path().toString(), "disk image");
      return new dev.ferry.api.IncomingCheck.DiskVisibility(
          d.id(), d.path().toString(), true, "visible as " + real);
    } catch (BadRequest e) {
      return new dev.ferry.api.IncomingCheck.DiskVisibility(
          d.id(), d.path().toString(), false, e.getMessage());
    }
  }

  private BootSpec boot(VmCreateRequest r) {
    if (r.kernel().isEmpty()) {
      if (r.initrd().isPresent() || r.cmdline().isPresent()) {
        throw new BadRequest("initrd and cmdline need a kernel (direct kernel boot)");
      }
      if (r.disks().isEmpty()) {
        throw new BadRequest("firmware boot needs at least one disk, or give a kernel");
      }
      return new BootSpec.Firmware();
    }
    Path kernel = storage.confine(r.kernel().get(), "kernel");
    Optional<Path> initrd = r.initrd().map(i -> storage.confine(i, "initrd"));
    return new BootSpec.Kernel(kernel, initrd, r.cmdline().orElse(""));
  }

  private List<DiskSpec> disks(VmCreateRequest r) {
    if (r.disks().size() > MAX_DISKS) {
      throw new BadRequest("at most " + MAX_DISKS + " disks per VM");
    }
    List<DiskSpec> out = new ArrayList<>();
    Set<Path> seen = new HashSet<>();
    for (int i = 0; i < r.disks().size(); i++) {
      VmCreateRequest.Disk d = r.disks().get(i);
      Path path = storage.confine(d.path(), "disk image");
      if (!seen.add(path)) {
        throw new BadRequest("disk image " + path + " is given twice");
      }
      DiskFormat detected = StorageRoots.detectFormat(path);
      DiskFormat format = d.format().map(VmSpecFactory::format).orElse(detected);
      if (format != detected) {
        throw new BadRequest(
            "disk image " + path + " is " + detected.qemuName() + ", not " + format.qemuName());
      }
      if (format == DiskFormat.QCOW2) {
        refuseBackingFile(path);
      }
      out.add(new DiskSpec("disk" + i, path, format, d.readOnly().orElse(false)));
    }
    return out;
  }

  /**
   * Ferry opens qcow2 images without their backing chain (the header is data a guest or a peer may
   * have written), so an image that names a backing file would not show the guest what its owner
   * expects; one outside the storage roots is also an attempt to read a host file.
   */
  private void refuseBackingFile(Path image) {
    Optional<String> backing;
    try {
      backing = QemuImg.info(image, DiskFormat.QCOW2).backingFile();
    } catch (QemuException e) {
      throw new BadRequest(
          "disk image " + image + " is not a readable qcow2 image: " + e.getMessage());
    }
    if (backing.isEmpty()) {
      return;
    }
    Path named = image.getParent().resolve(backing.get()).normalize();
    String where =
        storage.contains(named)
            ? "inside the storage roots, but backing chains are not supported"
            : "outside this agent's storage roots";
    throw new BadRequest(
        "disk image "
            + image
            + " names the backing file '"
            + backing.get()
            + "' ("
            + where
            + "); flatten it first (qemu-img convert -O qcow2)");
  }

  private static DiskFormat format(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "qcow2" -> DiskFormat.QCOW2;
      case "raw" -> DiskFormat.RAW;
      default -> throw new BadRequest("disk format '" + text + "' is not qcow2 or raw");
    };
  }

  private List<NicSpec> nics(VmCreateRequest r, UUID uuid) {
    if (r.nics().size() > MAX_NICS) {
      throw new BadRequest("at most " + MAX_NICS + " NICs per VM");
    }
    List<NicSpec> out = new ArrayList<>();
    for (int i = 0; i < r.nics().size(); i++) {
      VmCreateRequest.Nic n = r.nics().get(i);
      if (n.bridge() == null || n.bridge().isBlank()) {
        throw new BadRequest("NIC " + i + " names no bridge");
      }
      if (!taps.bridgeExists(n.bridge())) {
        throw new BadRequest(
            "bridge '"
                + n.bridge()
                + "' does not exist on this host (have: "
                + taps.bridges()
                + ")");
      }
      MacAddress mac;
      try {
        mac = n.mac().map(MacAddress::parse).orElse(MacAddress.derive(uuid, i));
      } catch (IllegalArgumentException e) {
        throw new BadRequest("NIC " + i + ": " + e.getMessage());
      }
      out.add(new NicSpec("net" + i, n.bridge(), mac));
    }
    return out;
  }
}
