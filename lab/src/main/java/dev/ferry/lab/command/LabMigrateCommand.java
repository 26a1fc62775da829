package dev.ferry.lab.command;

import dev.ferry.api.AgentClient;
import dev.ferry.api.AgentEndpoint;
import dev.ferry.api.VmInfo;
import dev.ferry.common.DataRate;
import dev.ferry.lab.demo.ProbedMigration;
import dev.ferry.lab.demo.ProgressPrinter;
import dev.ferry.lab.testbed.Testbed;
import dev.ferry.migration.MigrationRecord;
import dev.ferry.migration.MigrationSettings;
import dev.ferry.migration.MigrationState;
import dev.ferry.qemu.BootSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ferry-lab migrate VM --from host-a --to host-b}: a live migration on the testbed with the
 * client namespace probing the guest's echo service every millisecond; the outage it saw is
 * recorded with the migration (what {@code ferry vm migrate} cannot measure from outside).
 */
@Command(
    name = "migrate",
    description =
        "Live-migrate a testbed VM while the client probes it every ms; records the outage seen.")
public final class LabMigrateCommand implements Callable<Integer> {
  @Parameters(index = "0", description = "VM name.")
  String vm;

  @Option(names = "--from", required = true, description = "Source testbed host (e.g. host-a).")
  String from;

  @Option(names = "--to", required = true, description = "Destination testbed host.")
  String to;

  @Option(
      names = "--testbed",
      defaultValue = "ferry",
      description = "Testbed name (default: ${DEFAULT-VALUE}).")
  String testbed;

  @Option(
      names = "--probe",
      description = "Address to probe (default: the VM's ferry.ip= on its kernel command line).")
  String probe;

  @Option(names = "--bandwidth", description = "Bandwidth cap, e.g. 100M (per second).")
  String bandwidth;

  @Option(names = "--json", description = "Print the final record as JSON.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Testbed tb = Testbed.load(testbed);
    Output out = new Output(spec.commandLine().getOut(), json);
    MigrationSettings defaults = MigrationSettings.defaults();
    MigrationSettings settings =
        bandwidth == null
            ? defaults
            : new MigrationSettings(
                Optional.of(DataRate.parse(bandwidth)),
                defaults.initialDowntime(),
                defaults.maxDowntime(),
                defaults.multifdChannels(),
                defaults.autoConverge(),
                defaults.allowPostcopy(),
                defaults.timeout(),
                defaults.timeoutAction(),
                defaults.copyStorage(),
                defaults.keepSource());
    try (AgentClient source =
        new AgentClient(new AgentEndpoint.Unix(tb.host(from).plan().agentSocket()))) {
      String ip = probe != null ? probe : guestIp(source.vm(vm));
      MigrationRecord r =
          ProbedMigration.run(
              tb,
              source,
              vm,
              ip,
              to,
              settings,
              json ? x -> {} : new ProgressPrinter(spec.commandLine().getOut(), false));
      if (json) {
        out.json(r);
      } else {
        out.table(
            List.of("MIGRATION", "STATE", "DURATION", "DOWNTIME", "OUTAGE"),
            List.of(
                List.of(
                    r.id().value(),
                    r.state().label(),
                    r.durationMs().map(d -> d + " ms").orElse("-"),
                    r.downtimeMs().map(d -> d + " ms").orElse("-"),
                    r.outageMs().map(d -> d + " ms").orElse("-"))));
      }
      return r.state() instanceof MigrationState.Completed ? 0 : 1;
    }
  }

  /** The address on the VM's kernel command line ({@code ferry.ip=198.18.0.100/24}). */
  static String guestIp(VmInfo vm) {
    if (vm.spec().boot() instanceof BootSpec.Kernel k) {
      return Arrays.stream(k.cmdline().split("\\s+"))
          .filter(a -> a.startsWith("ferry.ip="))
          .map(a -> a.substring("ferry.ip=".length()).split("/")[0])
          .findFirst()
          .orElseThrow(
              () ->
                  new IllegalArgumentException(
                      "VM " + vm.spec().name() + " has no ferry.ip=; give --probe IP"));
    }
    throw new IllegalArgumentException(
        "VM " + vm.spec().name() + " boots from firmware; give --probe IP");
  }
}
