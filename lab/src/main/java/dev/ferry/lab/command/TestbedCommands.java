package dev.ferry.lab.command;

import dev.ferry.lab.testbed.GuestImageDir;
import dev.ferry.lab.testbed.HostInfo;
import dev.ferry.lab.testbed.Testbed;
import dev.ferry.lab.testbed.TestbedAgents;
import dev.ferry.lab.testbed.TestbedSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ferry-lab testbed ...}: N namespace hosts with an agent each, on this machine. */
@Command(
    name = "testbed",
    description = "Build or remove a local testbed of namespace hosts with real agents.",
    subcommands = {
      TestbedCommands.Up.class,
      TestbedCommands.Down.class,
      TestbedCommands.Status.class
    })
public final class TestbedCommands {

  abstract static class Base implements Callable<Integer> {
    @Option(
        names = "--name",
        defaultValue = "ferry",
        description = "Testbed name (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Spec CommandSpec spec;

    Output out() {
      return new Output(spec.commandLine().getOut(), json);
    }

    void describe(Testbed tb) {
      Output out = out();
      if (out.json()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", tb.name());
        m.put("subnet", tb.subnet());
        m.put("client", Map.of("namespace", tb.clientNamespace(), "address", tb.clientAddress()));
        m.put(
            "hosts",
            tb.hosts().stream()
                .map(
                    h ->
                        Map.of(
                            "name", h.name(),
                            "namespace", h.namespace(),
                            "address", h.address(),
                            "agentUrl", h.plan().agentUrl().toString(),
                            "agentSocket", "unix:" + h.plan().agentSocket(),
                            "sharedStorage", h.plan().sharedDir().toString(),
                            "localStorage", h.plan().localDir().toString()))
                .toList());
        out.json(m);
        return;
      }
      out.line(
          "Testbed %s on %s (client %s in namespace %s)",
          tb.name(), tb.subnet(), tb.clientAddress(), tb.clientNamespace());
      out.table(
          List.of("HOST", "NAMESPACE", "ADDRESS", "AGENT URL", "LOCAL SOCKET"),
          tb.hosts().stream()
              .map(
                  (HostInfo h) ->
                      List.of(
                          h.name(),
                          h.namespace(),
                          h.address(),
                          h.plan().agentUrl().toString(),
                          "unix:" + h.plan().agentSocket()))
              .toList());
    }
  }

  @Command(name = "up", description = "Build the testbed and start one agent per host.")
  static final class Up extends Base {
    @Option(
        names = "--hosts",
        defaultValue = "2",
        description = "Number of hosts, 1..8 (default: ${DEFAULT-VALUE}).")
    int hosts;

    @Option(
        names = "--subnet",
        defaultValue = "0",
        description = "k in 198.18.k.0/24 (default: ${DEFAULT-VALUE}).")
    int subnet;

    @Option(
        names = "--accel",
        defaultValue = "auto",
        description = "Accelerator for the agents (default: ${DEFAULT-VALUE}).")
    String accel;

    @Override
    public Integer call() {
      TestbedSpec spec =
          TestbedSpec.named(name)
              .withHosts(hosts)
              .withSubnetIndex(subnet)
              .withAgentLauncher(new TestbedAgents(accel, GuestImageDir.find()));
      describe(Testbed.up(spec));
      return 0;
    }
  }

  @Command(
      name = "down",
      description = "Remove the testbed, its agents, VMs and files (also after a crash).")
  static final class Down extends Base {
    @Override
    public Integer call() {
      Testbed.down(name);
      if (json) {
        out().json(Map.of("removed", name));
      } else {
        out().line("Testbed %s removed", name);
      }
      return 0;
    }
  }

  @Command(name = "status", description = "Show the testbed's hosts and agents.")
  static final class Status extends Base {
    @Override
    public Integer call() {
      describe(Testbed.load(name));
      return 0;
    }
  }
}
