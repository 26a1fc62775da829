package dev.ferry.cli;

import dev.ferry.api.AgentClient;
import dev.ferry.api.AgentEndpoint;
import dev.ferry.api.ClusterMigration;
import dev.ferry.api.ManagerClient;
import dev.ferry.common.DataRate;
import dev.ferry.migration.MigrationRecord;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry migration ...}: the records of a source host's migrations. */
@Command(
    name = "migration",
    description =
        "List, show, watch and abort migrations (on their source host, or with --manager, the"
            + " cluster's).",
    subcommands = {
      MigrationCommands.ListAll.class,
      MigrationCommands.Show.class,
      MigrationCommands.Watch.class,
      MigrationCommands.Abort.class,
      MigrationCommands.Bandwidth.class
    })
final class MigrationCommands {

  abstract static class Base implements Callable<Integer> {
    @Mixin AgentOptions agent;
    @Spec CommandSpec spec;

    @Option(
        names = "--manager",
        description =
            "Ask the manager at this URL instead of one agent (ids are then the manager's, cm-...).")
    String manager;

    ManagerClient managerClient() {
      return new ManagerClient(AgentEndpoint.parse(manager));
    }

    void print(ClusterMigration m) {
      if (out().json()) {
        out().json(m);
      } else {
        out().table(ClusterRender.MIGRATION_HEADER, List.of(ClusterRender.migrationRow(m)));
        m.record().ifPresent(r -> out().fields(MigrationView.summary(r)));
      }
    }

    Output out() {
      return new Output(spec.commandLine().getOut(), agent.json);
    }

    void print(MigrationRecord r) {
      if (out().json()) {
        out().json(r);
      } else {
        out().fields(MigrationView.summary(r));
      }
    }
  }

  @Command(name = "list", aliases = "ls", description = "Migrations this host was the source of.")
  static final class ListAll extends Base {
    @Override
    public Integer call() {
      if (manager != null) {
        try (ManagerClient c = managerClient()) {
          List<ClusterMigration> all = c.migrations();
          if (out().json()) {
            out().json(all);
          } else {
            out()
                .table(
                    ClusterRender.MIGRATION_HEADER,
                    all.stream().map(ClusterRender::migrationRow).toList());
          }
        }
        return 0;
      }
      try (AgentClient c = agent.client()) {
        List<MigrationRecord> all = c.migrations();
        if (out().json()) {
          out().json(all);
        } else {
          out().table(MigrationView.header(), all.stream().map(MigrationView::row).toList());
        }
      }
      return 0;
    }
  }

  @Command(name = "show", description = "One migration with its phases, prediction and result.")
  static final class Show extends Base {
    @Parameters(index = "0", description = "Migration id (m-...).")
    String id;

    @Override
    public Integer call() {
      if (manager != null) {
        try (ManagerClient c = managerClient()) {
          print(c.migration(id));
        }
        return 0;
      }
      try (AgentClient c = agent.client()) {
        print(c.migration(id));
      }
      return 0;
    }
  }

  @Command(name = "watch", description = "Follow a migration's progress until it ends.")
  static final class Watch extends Base {
    @Parameters(index = "0", description = "Migration id.")
    String id;

    @Override
    public Integer call() throws InterruptedException {
      if (manager != null) {
        try (ManagerClient c = managerClient()) {
          ClusterMigration m = c.migration(id);
          String last = "";
          while (!m.status().done()) {
            String line = watchLine(m);
            if (!out().json() && !line.equals(last)) {
              out().line("%s", line);
              last = line;
            }
            ManagerCadence.pause(ManagerCadence.MIGRATION);
            m = c.migration(id);
          }
          print(m);
          return m.status() == ClusterMigration.Status.COMPLETED ? 0 : ExitCode.FAILED.code();
        }
      }
      try (AgentClient c = agent.client()) {
        MigrationRecord r =
            new MigrationWatcher(c, spec.commandLine().getOut(), System.console() != null)
                .watch(id);
        print(r);
      }
      return 0;
    }
  }

  static String watchLine(ClusterMigration m) {
    if (m.status() == ClusterMigration.Status.RUNNING && m.record().isPresent()) {
      return MigrationView.progressLine(m.record().get());
    }
    return m.status().text() + m.reason().map(r -> ": " + r).orElse("");
  }

  @Command(
      name = "abort",
      description = "Abort a migration before handover; the VM stays on its source.")
  static final class Abort extends Base {
    @Parameters(index = "0", description = "Migration id.")
    String id;

    @Override
    public Integer call() {
      if (manager != null) {
        try (ManagerClient c = managerClient()) {
          print(c.abortMigration(id));
        }
        return 0;
      }
      try (AgentClient c = agent.client()) {
        print(c.abortMigration(id));
      }
      return 0;
    }
  }

  @Command(
      name = "bandwidth",
      description = "Change a running migration's bandwidth cap, e.g. 50M.")
  static final class Bandwidth extends Base {
    @Parameters(index = "0", description = "Migration id.")
    String id;

    @Parameters(index = "1", description = "New cap per second, e.g. 50M.")
    String rate;

    @Override
    public Integer call() {
      if (manager != null) {
        try (ManagerClient c = managerClient()) {
          print(c.setBandwidth(id, DataRate.parse(rate)));
        }
        return 0;
      }
      try (AgentClient c = agent.client()) {
        print(c.setBandwidth(id, DataRate.parse(rate)));
      }
      return 0;
    }
  }
}
