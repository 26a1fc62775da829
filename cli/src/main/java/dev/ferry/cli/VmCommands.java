package dev.ferry.cli;

import dev.ferry.api.AgentClient;
import dev.ferry.api.AgentEndpoint;
import dev.ferry.api.ClusterVm;
import dev.ferry.api.ClusterVmCreate;
import dev.ferry.api.ManagerClient;
import dev.ferry.api.VmCreateRequest;
import dev.ferry.api.VmInfo;
import dev.ferry.common.ByteSize;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry vm ...}: VM lifecycle on one agent. */
@Command(
    name = "vm",
    description = "Create, start, stop and inspect VMs on a host.",
    subcommands = {
      VmCommands.Create.class,
      VmCommands.Start.class,
      VmCommands.Stop.class,
      VmCommands.Pause.class,
      VmCommands.Resume.class,
      VmCommands.ListVms.class,
      VmCommands.Show.class,
      VmCommands.Console.class,
      VmCommands.Delete.class,
      VmCommands.MoveDisk.class,
      MigrateCommand.class
    })
final class VmCommands {

  /** Shared plumbing: the agent and output. */
  abstract static class VmCommand implements Callable<Integer> {
    @Mixin AgentOptions agent;
    @Spec CommandSpec spec;

    Output out() {
      return new Output(spec.commandLine().getOut(), agent.json);
    }

    @Override
    public Integer call() {
      try (AgentClient client = agent.client()) {
        run(client, out());
      }
      return 0;
    }

    abstract void run(AgentClient client, Output out);

    void show(Output out, VmInfo vm, String verb) {
      if (out.json()) {
        out.json(vm);
      } else {
        out.line("%s: %s", vm.spec().name(), verb.isEmpty() ? vm.state().text() : verb);
      }
    }
  }

  @Command(name = "create", description = "Define a VM (and start it with --start).")
  static final class Create extends VmCommand {
    @Parameters(index = "0", description = "VM name.")
    String name;

    @Option(names = "--memory", required = true, description = "Guest RAM, e.g. 512M, 1G.")
    String memory;

    @Option(names = "--vcpus", defaultValue = "1", description = "Virtual CPUs (default 1).")
    int vcpus;

    @Option(names = "--machine", description = "Machine type (default pc, stored pinned).")
    String machine;

    @Option(names = "--cpu", description = "QEMU CPU model (default qemu64).")
    String cpu;

    @Option(names = "--kernel", description = "Kernel image for direct kernel boot.")
    String kernel;

    @Option(names = "--initrd", description = "Initramfs for direct kernel boot.")
    String initrd;

    @Option(names = "--cmdline", description = "Kernel command line.")
    String cmdline;

    @Option(
        names = "--disk",
        description = "Disk image PATH[,format=qcow2|raw][,ro]; repeat for more disks.")
    List<String> disks = new ArrayList<>();

    @Option(
        names = "--nic",
        description = "NIC on host bridge BRIDGE[,mac=52:54:00:..]; repeat for more NICs.")
    List<String> nics = new ArrayList<>();

    @Option(names = "--start", description = "Start the VM once created.")
    boolean start;

    @Option(
        names = "--manager",
        description =
            "Create it through the manager at this URL, which picks the host and grants the lease.")
    String manager;

    @Option(names = "--on", description = "With --manager: put it on this host.")
    String on;

    @Option(
        names = "--anti-affinity",
        split = ",",
        description = "With --manager: VMs it must not share a host with.")
    List<String> antiAffinity = new ArrayList<>();

    @Override
    public Integer call() {
      if (manager == null) {
        if (on != null || !antiAffinity.isEmpty()) {
          throw new IllegalArgumentException("--on and --anti-affinity need --manager");
        }
        return super.call();
      }
      try (ManagerClient client = new ManagerClient(AgentEndpoint.parse(manager))) {
        ClusterVm vm =
            client.createVm(
                new ClusterVmCreate(
                    request(), Optional.ofNullable(on), java.util.Set.copyOf(antiAffinity)));
        Output out = out();
        if (out.json()) {
          out.json(vm);
        } else {
          out.line("%s: created on %s (%s)", vm.name(), vm.host(), vm.state().text());
        }
      }
      return 0;
    }

    @Override
    void run(AgentClient client, Output out) {
      VmInfo vm = client.createVm(request());
      show(out, vm, start ? "created and " + vm.state().text() : "created");
    }

    private VmCreateRequest request() {
      return new VmCreateRequest(
          name,
          Optional.of(vcpus),
          ByteSize.parse(memory),
          Optional.ofNullable(machine),
          Optional.ofNullable(cpu),
          Optional.ofNullable(kernel),
          Optional.ofNullable(initrd),
          Optional.ofNullable(cmdline),
          disks.stream().map(Create::disk).toList(),
          nics.stream().map(Create::nic).toList(),
          Optional.of(start));
    }

    private static VmCreateRequest.Disk disk(String text) {
      String[] parts = text.split(",");
      Optional<String> format = Optional.empty();
      boolean ro = false;
      for (int i = 1; i < parts.length; i++) {
        if (parts[i].startsWith("format=")) {
          format = Optional.of(parts[i].substring("format=".length()));
        } else if (parts[i].equals("ro")) {
          ro = true;
        } else {
          throw new IllegalArgumentException("unknown disk option '" + parts[i] + "' in " + text);
        }
      }
      return new VmCreateRequest.Disk(parts[0], format, Optional.of(ro));
    }

    private static VmCreateRequest.Nic nic(String text) {
      String[] parts = text.split(",");
      Optional<String> mac = Optional.empty();
      for (int i = 1; i < parts.length; i++) {
        if (parts[i].startsWith("mac=")) {
          mac = Optional.of(parts[i].substring("mac=".length()));
        } else {
          throw new IllegalArgumentException("unknown NIC option '" + parts[i] + "' in " + text);
        }
      }
      return new VmCreateRequest.Nic(parts[0], mac);
    }
  }

  @Command(name = "start", description = "Start a stopped VM.")
  static final class Start extends VmCommand {
    @Parameters(index = "0", description = "VM name.")
    String name;

    @Override
    void run(AgentClient client, Output out) {
      show(out, client.start(name), "started");
    }
  }

  @Command(
      name = "stop",
      description =
          "Stop a VM: ACPI power-off, then forced after --timeout (or at once with --force).")
  static final class Stop extends VmCommand {
    @Parameters(index = "0", description = "VM name.")
    String name;

    @Option(names = "--force", description = "Do not ask the guest; make QEMU quit at once.")
    boolean force;

    @Option(
        names = "--timeout",
        defaultValue = "30",
        description = "Seconds the guest gets to power off before it is forced (default 30).")
    long timeoutSeconds;

    @Override
    void run(AgentClient client, Output out) {
      show(out, client.stop(name, force, Duration.ofSeconds(timeoutSeconds)), "stopped");
    }
  }

  @Command(name = "pause", description = "Pause a VM's vCPUs.")
  static final class Pause extends VmCommand {
    @Parameters(index = "0", description = "VM name.")
    String name;

    @Override
    void run(AgentClient client, Output out) {
      show(out, client.pause(name), "paused");
    }
  }

  @Command(name = "resume", description = "Resume a paused VM.")
  static final class Resume extends VmCommand {
    @Parameters(index = "0", description = "VM name.")
    String name;

    @Override
    void run(AgentClient client, Output out) {
      show(out, client.resume(name), "resumed");
    }
  }

  @Command(name = "list", aliases = "ls", description = "List the VMs of a host.")
  static final class ListVms extends VmCommand {
    @Override
    void run(AgentClient client, Output out) {
      List<VmInfo> vms = client.listVms();
      if (out.json()) {
        out.json(vms);
      } else {
        out.table(Render.vmHeader(), vms.stream().map(Render::vmRow).toList());
      }
    }
  }

  @Command(name = "show", description = "Show one VM in detail.")
  static final class Show extends VmCommand {
    @Parameters(index = "0", description = "VM name.")
    String name;

    @Override
    void run(AgentClient client, Output out) {
      VmInfo vm = client.vm(name);
      if (out.json()) {
        out.json(vm);
      } else {
        out.fields(Render.vm(vm));
      }
    }
  }

  @Command(name = "console", description = "Print a VM's serial console log.")
  static final class Console extends VmCommand {
    @Parameters(index = "0", description = "VM name.")
    String name;

    @Option(
        names = "--bytes",
        defaultValue = "65536",
        description = "Print only the last N bytes (0: all; default ${DEFAULT-VALUE}).")
    long bytes;

    @Override
    void run(AgentClient client, Output out) {
      spec.commandLine().getOut().print(client.console(name, bytes));
      spec.commandLine().getOut().flush();
    }
  }

  @Command(name = "delete", aliases = "rm", description = "Delete a stopped VM's definition.")
  static final class Delete extends VmCommand {
    @Parameters(index = "0", description = "VM name.")
    String name;

    @Option(names = "--force", description = "Stop the VM first if it runs.")
    boolean force;

    @Override
    void run(AgentClient client, Output out) {
      client.delete(name, force);
      if (out.json()) {
        out.json(java.util.Map.of("deleted", name));
      } else {
        out.line("%s: deleted", name);
      }
    }
  }

  @Command(
      name = "move-disk",
      description =
          "Move a running VM's disk to another directory of the same host's storage, live.")
  static final class MoveDisk extends VmCommand {
    @Parameters(index = "0", description = "VM name.")
    String name;

    @Parameters(index = "1", description = "Disk id (disk0, disk1...; see vm show).")
    String disk;

    @Option(names = "--to", required = true, description = "Target directory in a storage root.")
    String to;

    @Option(names = "--keep-source", description = "Leave the old image in place.")
    boolean keepSource;

    @Override
    void run(AgentClient client, Output out) {
      VmInfo vm =
          client.moveDisk(
              name, disk, new dev.ferry.api.DiskMoveRequest(to, Optional.of(keepSource)));
      if (out.json()) {
        out.json(vm);
      } else {
        vm.spec().disks().stream()
            .filter(d -> d.id().equals(disk))
            .forEach(d -> out.line("%s: %s now at %s", name, disk, d.path()));
      }
    }
  }
}
