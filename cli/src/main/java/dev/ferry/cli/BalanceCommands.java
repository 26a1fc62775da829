package dev.ferry.cli;

import dev.ferry.api.BalanceSettingsView;
import dev.ferry.api.BalanceView;
import dev.ferry.api.ClusterMigration;
import dev.ferry.api.ManagerClient;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry balance status|recommend|apply|mode}: DRS-like load balancing. */
@Command(
    name = "balance",
    description = "Load balancing between hosts: imbalance, recommendations, applying them.",
    subcommands = {
      BalanceCommands.Status.class,
      BalanceCommands.Recommend.class,
      BalanceCommands.Apply.class,
      BalanceCommands.Mode.class
    })
final class BalanceCommands {

  static void print(Output out, BalanceView v, boolean moves) {
    if (out.json()) {
      out.json(v);
      return;
    }
    out.line(
        "mode %s, aggressiveness %d, imbalance %.3f (%.3f after %d recommended move(s))",
        v.mode(),
        v.aggressiveness(),
        v.imbalance(),
        v.imbalanceAfter(),
        v.recommendations().size());
    if (moves && !v.recommendations().isEmpty()) {
      out.table(
          List.of("VM", "FROM", "TO", "BENEFIT", "COST", "WHY"),
          v.recommendations().stream()
              .map(
                  m ->
                      List.of(
                          m.vm(),
                          m.from(),
                          m.to(),
                          String.format("%.4f", m.benefit()),
                          String.format("%.4f", m.cost()),
                          m.reason()))
              .toList());
    }
    v.notes().forEach(n -> out.line("note: %s", n));
  }

  @Command(name = "status", description = "Mode and imbalance.")
  static final class Status extends ManagerCall {

    @Override
    public Integer call() {
      try (ManagerClient c = manager.client()) {
        print(out(), c.balance(), false);
      }
      return 0;
    }
  }

  @Command(name = "recommend", description = "The moves the balancer proposes, with reasons.")
  static final class Recommend extends ManagerCall {

    @Override
    public Integer call() {
      try (ManagerClient c = manager.client()) {
        print(out(), c.balance(), true);
      }
      return 0;
    }
  }

  @Command(name = "apply", description = "Queue the recommended moves (of the VMs named, or all).")
  static final class Apply extends ManagerCall {

    @Parameters(arity = "0..*", paramLabel = "VM")
    List<String> vms = new ArrayList<>();

    @Override
    public Integer call() {
      Output out = out();
      try (ManagerClient c = manager.client()) {
        List<ClusterMigration> queued = c.applyBalance(vms);
        if (out.json()) {
          out.json(queued);
        } else {
          queued.forEach(
              m ->
                  out.line(
                      "%s: %s → %s queued as %s", m.vm(), m.source(), m.destination(), m.id()));
        }
      }
      return 0;
    }
  }

  @Command(name = "mode", description = "Set the mode (off, manual, automatic) and aggressiveness.")
  static final class Mode extends ManagerCall {

    @Parameters(index = "0", paramLabel = "MODE")
    String mode;

    @Option(names = "--aggressiveness", defaultValue = "3", description = "1..5 (default 3).")
    int aggressiveness;

    @Override
    public Integer call() {
      try (ManagerClient c = manager.client()) {
        print(out(), c.setBalanceSettings(new BalanceSettingsView(mode, aggressiveness)), false);
      }
      return 0;
    }
  }
}
