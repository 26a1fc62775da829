package dev.ferry.cli;

import dev.ferry.api.AgentClient;
import dev.ferry.api.MigrationRequest;
import dev.ferry.api.VmInfo;
import dev.ferry.common.DataRate;
import dev.ferry.migration.MigrationRecord;
import dev.ferry.migration.MigrationSettings;
import dev.ferry.migration.MigrationState;
import dev.ferry.migration.TimeoutAction;
import dev.ferry.qemu.BootSpec;
import dev.ferry.testbed.OutageProbe;
import dev.ferry.testbed.ProbeResult;
import dev.ferry.testbed.Testbed;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry vm migrate NAME --to HOST}: live migration with progress and a measured outage. */
@Command(
    name = "migrate",
    description = "Live-migrate a running VM to another host, showing progress and the outage.")
final class MigrateCommand implements Callable<Integer> {
  @Mixin AgentOptions agent;
  @Spec CommandSpec spec;

  @Parameters(index = "0", description = "VM name.")
  String name;

  @Option(
      names = "--to",
      required = true,
      description = "Destination host (a testbed host name, or the name reported by its agent).")
  String to;

  @Option(
      names = "--to-agent",
      description =
          "Destination agent URL as the source agent reaches it (default: the testbed host's).")
  String toAgent;

  @Option(
      names = "--bandwidth",
      description = "Bandwidth cap, e.g. 100M (per second). Default: what the link carries.")
  String bandwidth;

  @Option(
      names = "--downtime",
      defaultValue = "30",
      description = "Initial downtime target in ms (default: ${DEFAULT-VALUE}).")
  long downtimeMs;

  @Option(
      names = "--max-downtime",
      defaultValue = "500",
      description =
          "Highest downtime target in ms the policy may step to (default: ${DEFAULT-VALUE}).")
  long maxDowntimeMs;

  @Option(
      names = "--multifd",
      defaultValue = "1",
      description = "Parallel migration streams (default: ${DEFAULT-VALUE}).")
  int multifd;

  @Option(names = "--no-auto-converge", description = "Never throttle the guest's vCPUs.")
  boolean noAutoConverge;

  @Option(
      names = "--allow-postcopy",
      description = "Allow switching to post-copy if pre-copy does not converge.")
  boolean allowPostcopy;

  @Option(
      names = "--timeout",
      description = "Time budget in seconds (default: from the prediction).")
  Long timeoutSeconds;

  @Option(
      names = "--timeout-action",
      defaultValue = "abort",
      description = "abort or force (default: ${DEFAULT-VALUE}).")
  String timeoutAction;

  @Option(
      names = "--copy-storage",
      description = "Copy every disk to the destination, even those it can see (shared).")
  boolean copyStorage;

  @Option(
      names = "--keep-source",
      description = "Keep the source's copies of moved disks after the migration.")
  boolean keepSource;

  @Option(
      names = "--probe",
      arity = "0..1",
      fallbackValue = "auto",
      description =
          "Probe the guest's echo service every ms from the testbed's client namespace; optional IP (default: from the VM's ferry.ip=).")
  String probe;

  @Option(
      names = "--watch",
      negatable = true,
      description = "Show live progress (default: on a terminal).")
  Boolean watch;

  @Override
  public Integer call() {
    Output out = new Output(spec.commandLine().getOut(), agent.json);
    MigrationSettings settings =
        new MigrationSettings(
            Optional.ofNullable(bandwidth).map(DataRate::parse),
            Duration.ofMillis(downtimeMs),
            Duration.ofMillis(maxDowntimeMs),
            multifd,
            !noAutoConverge,
            allowPostcopy,
            Optional.ofNullable(timeoutSeconds).map(Duration::ofSeconds),
            TimeoutAction.parse(timeoutAction),
            copyStorage,
            keepSource);
    String destAgent = toAgent != null ? toAgent : testbedAgentUrl(to);
    try (AgentClient client = agent.client()) {
      OutageProbe probing = startProbe(client);
      MigrationRecord record;
      try {
        MigrationRecord started =
            client.migrate(name, new MigrationRequest(to, destAgent, Optional.of(settings)));
        if (!out.json()) {
          out.line("Migration %s of %s to %s started", started.id(), name, to);
          started
              .prediction()
              .ifPresent(p -> out.line("  predicted: %s", MigrationView.prediction(p)));
        }
        boolean live = watch != null ? watch : System.console() != null && !out.json();
        record =
            live
                ? new MigrationWatcher(
                        client, spec.commandLine().getOut(), System.console() != null)
                    .watch(started.id().value())
                : awaitEnd(client, started.id().value());
      } finally {
        if (probing != null && !probingStopped) {
          probeResult = probing.stop();
        }
      }
      if (probeResult != null) {
        record = client.reportOutage(record.id().value(), Math.round(probeResult.outageMs()));
      }
      if (out.json()) {
        out.json(record);
      } else {
        out.fields(MigrationView.summary(record));
      }
      return record.state() instanceof MigrationState.Completed ? 0 : ExitCode.FAILED.code();
    }
  }

  private boolean probingStopped;
  private ProbeResult probeResult;

  private OutageProbe startProbe(AgentClient client) {
    if (probe == null) {
      return null;
    }
    String ip = probe.equals("auto") ? guestIp(client.vm(name)) : probe;
    Testbed tb = Testbed.load(agent.testbed);
    Path tool =
        TestbedCommands.guestDir()
            .map(g -> g.resolve("bin/ferry-probe"))
            .orElseThrow(
                () -> new IllegalStateException("ferry-probe not found: build the guest image"));
    return OutageProbe.start(tb, tool, ip, Duration.ofMillis(1), Duration.ofSeconds(30));
  }

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

  private String testbedAgentUrl(String host) {
    return Testbed.load(agent.testbed).hosts().stream()
        .filter(h -> h.name().equals(host))
        .findFirst()
        .map(h -> h.plan().agentUrl().toString())
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "testbed '"
                        + agent.testbed
                        + "' has no host '"
                        + host
                        + "'; give --to-agent URL"));
  }

  static MigrationRecord awaitEnd(AgentClient client, String id) {
    while (true) {
      MigrationRecord r = client.migration(id);
      if (r.state().terminal()) {
        return r;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return r;
      }
    }
  }
}
