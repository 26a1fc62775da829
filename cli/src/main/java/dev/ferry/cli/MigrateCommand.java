package dev.ferry.cli;

import dev.ferry.api.AgentClient;
import dev.ferry.api.MigrationFollower;
import dev.ferry.api.MigrationRequest;
import dev.ferry.common.DataRate;
import dev.ferry.migration.MigrationRecord;
import dev.ferry.migration.MigrationSettings;
import dev.ferry.migration.MigrationState;
import dev.ferry.migration.TimeoutAction;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ferry vm migrate NAME --to HOST}: live migration with progress. (The outage a client sees
 * is measured by the lab: {@code ferry-lab migrate}.)
 */
@Command(
    name = "migrate",
    description = "Live-migrate a running VM to another host, showing progress.")
final class MigrateCommand implements Callable<Integer> {
  /** Longer than any time budget; the agent ends a migration long before. */
  private static final Duration WAIT_LIMIT = Duration.ofHours(24);

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
      MigrationRecord started =
          client.migrate(name, new MigrationRequest(to, destAgent, Optional.of(settings)));
      if (!out.json()) {
        out.line("Migration %s of %s to %s started", started.id(), name, to);
        started
            .prediction()
            .ifPresent(p -> out.line("  predicted: %s", MigrationView.prediction(p)));
      }
      boolean live = watch != null ? watch : System.console() != null && !out.json();
      MigrationRecord record =
          live
              ? new MigrationWatcher(client, spec.commandLine().getOut(), System.console() != null)
                  .watch(started.id().value())
              : awaitEnd(client, started.id().value());
      if (out.json()) {
        out.json(record);
      } else {
        out.fields(MigrationView.summary(record));
      }
      return record.state() instanceof MigrationState.Completed ? 0 : ExitCode.FAILED.code();
    }
  }

  private String testbedAgentUrl(String host) {
    return agent
        .directory()
        .host(host)
        .map(h -> h.agentUrl())
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "testbed '"
                        + agent.testbed
                        + "' has no host '"
                        + host
                        + "'; give --to-agent URL"));
  }

  /** Waits for the migration's end through the agent's events; an interrupt ends the wait. */
  static MigrationRecord awaitEnd(AgentClient client, String id) {
    try {
      return MigrationFollower.awaitEnd(client, id, WAIT_LIMIT, r -> {});
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return client.migration(id);
    }
  }
}
