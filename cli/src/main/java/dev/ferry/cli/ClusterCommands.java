package dev.ferry.cli;

import dev.ferry.api.ClusterMigration;
import dev.ferry.api.ClusterMigrationRequest;
import dev.ferry.api.ClusterVm;
import dev.ferry.api.ManagerClient;
import dev.ferry.api.QueueLimits;
import dev.ferry.common.DataRate;
import dev.ferry.migration.MigrationSettings;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry cluster ...}: VMs and migrations through the manager. */
@Command(
    name = "cluster",
    description = "The cluster's VMs and its migration queue, through the manager.",
    subcommands = {
      ClusterCommands.Vms.class,
      ClusterCommands.Migrate.class,
      ClusterCommands.Migrations.class,
      ClusterCommands.Show.class,
      ClusterCommands.Abort.class,
      ClusterCommands.Bandwidth.class,
      ClusterCommands.Limits.class
    })
final class ClusterCommands {

  @Command(name = "vms", description = "Every VM of the cluster, where it runs and its lease.")
  static final class Vms extends ManagerCall {

    @Override
    public Integer call() {
      Output out = out();
      try (ManagerClient client = manager.client()) {
        List<ClusterVm> vms = client.vms();
        if (out.json()) {
          out.json(vms);
        } else {
          out.table(ClusterRender.VM_HEADER, vms.stream().map(ClusterRender::vmRow).toList());
        }
      }
      return 0;
    }
  }

  @Command(
      name = "migrate",
      description = "Queue a live migration of VM; placement picks the host unless --to names it.")
  static final class Migrate extends ManagerCall {

    @Parameters(index = "0", paramLabel = "VM")
    String vm;

    @Option(names = "--to", description = "Destination host.")
    String to;

    @Option(names = "--wait", description = "Follow it until it ends.")
    boolean await;

    @Override
    public Integer call() throws InterruptedException {
      Output out = out();
      try (ManagerClient client = manager.client()) {
        ClusterMigration m =
            client.migrate(
                new ClusterMigrationRequest(
                    vm, Optional.ofNullable(to), Optional.<MigrationSettings>empty()));
        if (!out.json()) {
          out.line("%s: %s → %s queued as %s", m.vm(), m.source(), m.destination(), m.id());
        }
        String last = "";
        while (await && !m.status().done()) {
          ManagerCadence.pause(ManagerCadence.MIGRATION);
          m = client.migration(m.id());
          String line = String.join("  ", ClusterRender.migrationRow(m));
          if (!out.json() && !line.equals(last)) {
            out.line("%s", line);
            last = line;
          }
        }
        if (out.json()) {
          out.json(m);
        }
        return !await || m.status() == ClusterMigration.Status.COMPLETED
            ? 0
            : ExitCode.FAILED.code();
      }
    }
  }

  @Command(name = "migrations", description = "The queue and the history, newest first.")
  static final class Migrations extends ManagerCall {

    @Override
    public Integer call() {
      Output out = out();
      try (ManagerClient client = manager.client()) {
        List<ClusterMigration> list = client.migrations();
        if (out.json()) {
          out.json(list);
        } else {
          out.table(
              ClusterRender.MIGRATION_HEADER,
              list.stream().map(ClusterRender::migrationRow).toList());
        }
      }
      return 0;
    }
  }

  @Command(name = "show", description = "One cluster migration with the agent's full record.")
  static final class Show extends ManagerCall {

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
      Output out = out();
      try (ManagerClient client = manager.client()) {
        ClusterMigration m = client.migration(id);
        if (out.json()) {
          out.json(m);
        } else {
          out.table(ClusterRender.MIGRATION_HEADER, List.of(ClusterRender.migrationRow(m)));
          m.record().ifPresent(r -> out.fields(MigrationView.summary(r)));
        }
      }
      return 0;
    }
  }

  @Command(name = "abort", description = "Cancel a queued migration or abort a running one.")
  static final class Abort extends ManagerCall {

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
      Output out = out();
      try (ManagerClient client = manager.client()) {
        ClusterMigration m = client.abortMigration(id);
        if (out.json()) {
          out.json(m);
        } else {
          out.line(
              "%s: %s%s",
              m.id(), m.status().text(), m.reason().map(r -> " (" + r + ")").orElse(""));
        }
      }
      return 0;
    }
  }

  @Command(name = "bandwidth", description = "Change a running migration's bandwidth cap, live.")
  static final class Bandwidth extends ManagerCall {

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Parameters(index = "1", paramLabel = "RATE", description = "e.g. 200MiB/s")
    String rate;

    @Override
    public Integer call() {
      Output out = out();
      try (ManagerClient client = manager.client()) {
        ClusterMigration m = client.setBandwidth(id, DataRate.parse(rate));
        if (out.json()) {
          out.json(m);
        } else {
          out.line("%s: bandwidth cap %s", m.id(), DataRate.parse(rate));
        }
      }
      return 0;
    }
  }

  @Command(name = "limits", description = "Show or set how many migrations may run at once.")
  static final class Limits extends ManagerCall {

    @Option(names = "--outgoing", description = "Per host, leaving it.")
    Integer outgoing;

    @Option(names = "--incoming", description = "Per host, arriving at it.")
    Integer incoming;

    @Option(names = "--cluster", description = "In the whole cluster.")
    Integer cluster;

    @Override
    public Integer call() {
      Output out = out();
      try (ManagerClient client = manager.client()) {
        QueueLimits l = client.limits();
        if (outgoing != null || incoming != null || cluster != null) {
          l =
              client.setLimits(
                  new QueueLimits(
                      outgoing != null ? outgoing : l.outgoingPerHost(),
                      incoming != null ? incoming : l.incomingPerHost(),
                      cluster != null ? cluster : l.cluster()));
        }
        if (out.json()) {
          out.json(l);
        } else {
          out.line(
              "outgoing per host: %d, incoming per host: %d, cluster: %d",
              l.outgoingPerHost(), l.incomingPerHost(), l.cluster());
        }
      }
      return 0;
    }
  }
}
