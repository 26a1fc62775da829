package dev.ferry.cli;

import dev.ferry.api.HostFacts;
import dev.ferry.api.VmInfo;
import dev.ferry.qemu.BootSpec;
import dev.ferry.qemu.DiskSpec;
import dev.ferry.qemu.NicSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Human renderings of API records. */
final class Render {
  private Render() {}

  static List<String> vmHeader() {
    return List.of("NAME", "STATE", "VCPUS", "MEMORY", "PID", "SINCE");
  }

  static List<String> vmRow(VmInfo vm) {
    return List.of(
        vm.spec().name(),
        vm.state().text(),
        Integer.toString(vm.spec().vcpus()),
        vm.spec().memory().toHuman(),
        vm.pid().isPresent() ? Long.toString(vm.pid().getAsLong()) : "-",
        ago(vm.since()));
  }

  static List<String[]> vm(VmInfo vm) {
    List<String[]> f = new ArrayList<>();
    f.add(new String[] {"Name", vm.spec().name()});
    f.add(new String[] {"UUID", vm.spec().uuid().toString()});
    f.add(new String[] {"State", vm.state().text() + " (" + ago(vm.since()) + ")"});
    f.add(new String[] {"Owner", vm.owner() + " (epoch " + vm.epoch() + ")"});
    vm.migration().ifPresent(m -> f.add(new String[] {"Migrating", m}));
    vm.pid().ifPresent(p -> f.add(new String[] {"QEMU pid", Long.toString(p)}));
    vm.accelerator().ifPresent(a -> f.add(new String[] {"Accelerator", a.qemuName()}));
    f.add(new String[] {"vCPUs", Integer.toString(vm.spec().vcpus())});
    f.add(new String[] {"Memory", vm.spec().memory().toHuman()});
    f.add(new String[] {"Machine", vm.spec().machine()});
    f.add(new String[] {"CPU model", vm.spec().cpuModel()});
    switch (vm.spec().boot()) {
      case BootSpec.Kernel k -> {
        f.add(new String[] {"Kernel", k.kernel().toString()});
        k.initrd().ifPresent(i -> f.add(new String[] {"Initrd", i.toString()}));
        f.add(new String[] {"Cmdline", k.cmdline()});
      }
      case BootSpec.Firmware fw -> f.add(new String[] {"Boot", "firmware, first disk"});
    }
    for (DiskSpec d : vm.spec().disks()) {
      f.add(
          new String[] {
            "Disk " + d.id(),
            d.path() + " (" + d.format().qemuName() + (d.readOnly() ? ", ro" : "") + ")"
          });
    }
    for (NicSpec n : vm.spec().nics()) {
      f.add(new String[] {"NIC " + n.id(), n.mac() + " on bridge " + n.bridge()});
    }
    vm.lastError().ifPresent(e -> f.add(new String[] {"Last error", e}));
    return f;
  }

  static List<String[]> host(HostFacts h) {
    List<String[]> f = new ArrayList<>();
    f.add(new String[] {"Host", h.hostname()});
    f.add(new String[] {"Agent", h.agentVersion()});
    f.add(new String[] {"Kernel", h.kernel()});
    f.add(new String[] {"CPU", h.cpu().model() + " (" + h.cpu().vendor() + ")"});
    f.add(new String[] {"Cores", Integer.toString(h.cpu().cores())});
    f.add(new String[] {"CPU flags", h.cpu().flags().size() + " flags"});
    f.add(
        new String[] {
          "Memory",
          h.memory().total().toHuman()
              + " total, "
              + h.memory().available().toHuman()
              + " available, "
              + h.memory().committedToVms().toHuman()
              + " given to VMs"
        });
    f.add(new String[] {"Accelerator", h.accelerator().toString()});
    f.add(new String[] {"QEMU", h.qemu().version() + " (" + h.qemu().binary() + ")"});
    f.add(new String[] {"Machine (pc)", h.qemu().defaultMachine()});
    f.add(new String[] {"Migration caps", String.join(" ", h.qemu().migrationCapabilities())});
    f.add(new String[] {"Storage roots", h.storageRoots().toString()});
    f.add(new String[] {"Bridges", String.join(" ", h.bridges())});
    return f;
  }

  static String ago(Instant since) {
    Duration d = Duration.between(since, Instant.now());
    if (d.toSeconds() < 60) {
      return d.toSeconds() + "s ago";
    }
    if (d.toMinutes() < 60) {
      return d.toMinutes() + "m ago";
    }
    if (d.toHours() < 48) {
      return d.toHours() + "h ago";
    }
    return d.toDays() + "d ago";
  }
}
