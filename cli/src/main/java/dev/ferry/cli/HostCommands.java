package dev.ferry.cli;

import dev.ferry.api.AgentClient;
import dev.ferry.api.HostFacts;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code ferry host ...}: what a host is and can do. */
@Command(
    name = "host",
    description = "Inspect hosts.",
    subcommands = {HostCommands.Info.class})
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
}
