package dev.ferry.cli;

import dev.ferry.api.AgentClient;
import dev.ferry.api.ClusterHost;
import dev.ferry.api.HostFacts;
import dev.ferry.api.ManagerClient;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry host ...}: what a host is and can do. */
@Command(
    name = "host",
    description = "Inspect hosts; with the manager: list, add, remove, maintenance.",
    subcommands = {
      HostCommands.Info.class,
      HostCommands.ListHosts.class,
      HostCommands.Show.class,
      HostCommands.Add.class,
      HostCommands.Remove.class,
      MaintenanceCommands.class
    })
final class HostCommands {

  @Command(
      name = "info",
      description = "CPU, memory, accelerator, QEMU and its migration features.")
  static final class Info implements Callable<Integer> {
    @Mixin AgentOptions agent;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      Output out = new Output(spec.commandLine().getOut(), agent.json);
      try (AgentClient client = agent.client()) {
        HostFacts facts = client.host();
        if (out.json()) {
          out.json(facts);
        } else {
          out.fields(Render.host(facts));
        }
      }
      return 0;
    }
  }

  @Command(name = "list", aliases = "ls", description = "Hosts of the cluster (manager).")
  static final class ListHosts extends ManagerCall {

    @Override
    public Integer call() {
      Output out = out();
      try (ManagerClient client = manager.client()) {
        List<ClusterHost> hosts = client.hosts();
        if (out.json()) {
          out.json(hosts);
        } else {
          out.table(ClusterRender.HOST_HEADER, hosts.stream().map(ClusterRender::hostRow).toList());
        }
      }
      return 0;
    }
  }

  @Command(name = "show", description = "One host of the cluster with its facts and load.")
  static final class Show extends ManagerCall {

    @Parameters(index = "0", paramLabel = "HOST")
    String name;

    @Override
    public Integer call() {
      Output out = out();
      try (ManagerClient client = manager.client()) {
        ClusterHost h = client.host(name);
        if (out.json()) {
          out.json(h);
        } else {
          out.table(ClusterRender.HOST_HEADER, List.of(ClusterRender.hostRow(h)));
          h.facts().ifPresent(f -> out.fields(Render.host(f)));
        }
      }
      return 0;
    }
  }

  @Command(
      name = "add",
      description = "Add a host by its agent's URL; the agent obeys the manager.")
  static final class Add extends ManagerCall {

    @Parameters(index = "0", paramLabel = "URL", description = "http://ADDR:PORT of the agent.")
    String url;

    @Override
    public Integer call() {
      Output out = out();
      try (ManagerClient client = manager.client()) {
        ClusterHost h = client.addHost(url);
        if (out.json()) {
          out.json(h);
        } else {
          out.line("Added host %s (%s)", h.name(), h.url());
        }
      }
      return 0;
    }
  }

  @Command(name = "remove", aliases = "rm", description = "Remove a host that holds no VM.")
  static final class Remove extends ManagerCall {

    @Parameters(index = "0", paramLabel = "HOST")
    String name;

    @Override
    public Integer call() {
      try (ManagerClient client = manager.client()) {
        client.removeHost(name);
      }
      out().line("Removed host %s", name);
      return 0;
    }
  }
}
