package dev.ferry.qemu;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ferry.common.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a {@link VmSpec} into a QEMU command line. The same spec gives the same guest-visible
 * hardware (device ids, order, machine type, MACs) on every host, which is what a migration between
 * two QEMUs needs. Only host-local details (paths, tap names) vary.
 *
 * <p>Node names follow one rule so later block jobs can find them: the format node of disk {@code
 * id} is {@code id}, its protocol node is {@code id-file}, its device is {@code dev-id}.
 */
public final class QemuCommandLine {
  private QemuCommandLine() {}

  /**
   * Builds the argument vector.
   *
   * @param taps host tap interface per NIC id; every NIC of the spec must have one
   */
  public static List<String> build(
      QemuBinary qemu,
      VmSpec spec,
      Accelerator accelerator,
      RuntimePaths paths,
      Map<String, String> taps,
      LaunchMode mode) {
    List<String> a = new ArrayList<>();
    a.add(qemu.path().toString());
    add(a, "-name", "guest=" + escape(spec.name()) + ",debug-threads=on");
    add(a, "-uuid", spec.uuid().toString());
    add(a, "-machine", spec.machine());
    add(a, "-accel", accelerator.qemuName());
    add(a, "-cpu", spec.cpuModel());
    add(a, "-smp", Integer.toString(spec.vcpus()));
    add(a, "-m", memoryArgument(qemu, spec, accelerator));
    a.add("-nodefaults");
    a.add("-no-user-config");
    // seccomp: no obsolete system calls, no scheduler or resource games. spawn=deny and
    // elevateprivileges=deny would also forbid fork and setsid, which -daemonize needs.
    add(a, "-sandbox", SANDBOX);
    add(a, "-display", "none");
    add(a, "-msg", "timestamp=on");
    add(a, "-rtc", "base=utc");
    a.add("-S");
    a.add("-daemonize");
    add(a, "-pidfile", paths.pidFile().toString());
    add(a, "-qmp", "unix:" + escape(paths.qmpSocket().toString()) + ",server=on,wait=off");
    add(a, "-chardev", "file,id=console,append=on,path=" + escape(paths.consoleLog().toString()));
    add(a, "-serial", "chardev:console");
    switch (spec.boot()) {
      case BootSpec.Kernel k -> {
        add(a, "-kernel", k.kernel().toString());
        k.initrd().ifPresent(i -> add(a, "-initrd", i.toString()));
        add(a, "-append", k.cmdline());
      }
      case BootSpec.Firmware f -> add(a, "-boot", "order=c");
    }
    for (DiskSpec d : spec.disks()) {
      add(a, "-blockdev", fileNode(d));
      add(a, "-blockdev", formatNode(d));
      add(
          a,
          "-device",
          "virtio-blk-pci,id=dev-" + d.id() + ",drive=" + d.id() + ",serial=" + d.id());
    }
    for (NicSpec n : spec.nics()) {
      String tap = taps.get(n.id());
      if (tap == null) {
        throw new IllegalArgumentException("no tap interface given for NIC " + n.id());
      }
      add(a, "-netdev", "tap,id=" + n.id() + ",ifname=" + tap + ",script=no,downscript=no");
      add(
          a,
          "-device",
          "virtio-net-pci,id=dev-" + n.id() + ",netdev=" + n.id() + ",mac=" + n.mac());
    }
    if (mode == LaunchMode.INCOMING) {
      add(a, "-incoming", "defer");
    }
    return List.copyOf(a);
  }

  /**
   * The {@code -m} value. Under TCG, QEMU before 9.0 loses guest writes during migration when a RAM
   * block's length is a multiple of 64 pages: its fast dirty-bitmap sync clears the dirty bits
   * without resetting TCG's TLB, so later writes through cached TLB entries are never marked dirty
   * and the destination gets stale pages (seen here as a corrupted virtio ring after the move).
   * QEMU 9.0 fixed it ("physmem: fix TCG dirty tracking"). Padding RAM by one 8 KiB granule makes
   * older QEMUs take the per-page path, which does reset the TLB. Both ends of a migration build
   * this from the same spec, accelerator and QEMU generation, so their RAM blocks match.
   */
  public static String memoryArgument(QemuBinary qemu, VmSpec spec, Accelerator accelerator) {
    if (needsTcgDirtyTrackingPad(qemu, accelerator)) {
      return (spec.memory().bytes() / 1024 + TCG_RAM_PAD_KIB) + "K";
    }
    return spec.memory().toMiB() + "M";
  }

  /** Whether this QEMU and accelerator need the RAM padding described above. */
  public static boolean needsTcgDirtyTrackingPad(QemuBinary qemu, Accelerator accelerator) {
    return QemuQuirks.tcgRamPad(accelerator, qemu.majorVersion());
  }

  private static final int TCG_RAM_PAD_KIB = 8;

  /** The seccomp filter every guest's QEMU runs under. */
  public static final String SANDBOX = "on,obsolete=deny,resourcecontrol=deny";

  /** The node name of a disk's protocol (file) layer. */
  public static String fileNodeName(DiskSpec disk) {
    return disk.id() + "-file";
  }

  private static String fileNode(DiskSpec d) {
    Map<String, Object> node = new LinkedHashMap<>();
    node.put("driver", "file");
    node.put("node-name", fileNodeName(d));
    node.put("filename", d.path().toString());
    node.put("read-only", d.readOnly());
    return json(node);
  }

  private static String formatNode(DiskSpec d) {
    Map<String, Object> node = new LinkedHashMap<>();
    node.put("driver", d.format().qemuName());
    node.put("node-name", d.id());
    node.put("file", fileNodeName(d));
    if (d.format() == DiskFormat.QCOW2) {
      // Never the backing file a qcow2 header names: the header is data, images stand alone.
      node.put("backing", com.fasterxml.jackson.databind.node.NullNode.getInstance());
    }
    node.put("read-only", d.readOnly());
    return json(node);
  }

  private static String json(Map<String, Object> node) {
    try {
      return Json.strict().writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** QEMU option values use ',' as separator; a literal comma is written twice. */
  private static String escape(String value) {
    return value.replace(",", ",,");
  }

  private static void add(List<String> args, String option, String value) {
    args.add(option);
    args.add(value);
  }
}
