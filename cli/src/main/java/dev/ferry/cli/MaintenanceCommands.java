package dev.ferry.cli;

import dev.ferry.api.ClusterHost;
import dev.ferry.api.MaintenanceStatus;
import dev.ferry.api.ManagerClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry host maintenance enter|exit|status HOST}. */
@Command(
    name = "maintenance",
    description = "Evacuate a host and keep VMs off it, or make it schedulable again.",
    subcommands = {
      MaintenanceCommands.Enter.class,
      MaintenanceCommands.Exit.class,
      MaintenanceCommands.Status.class
    })
final class MaintenanceCommands {

  @Command(
      name = "enter",
      description =
          "Put HOST into maintenance: live-migrate every VM away (placement-aware, in parallel up"
              + " to the queue's limits) and follow the evacuation until it ends.")
  static final class Enter extends ManagerCall {

    @Parameters(index = "0", paramLabel = "HOST")
    String host;

    @Option(names = "--no-wait", description = "Return once the evacuation is planned.")
    boolean noWait;

    @Override
    public Integer call() throws InterruptedException {
      Output out = out();
      try (ManagerClient client = manager.client()) {
        MaintenanceStatus st = client.enterMaintenance(host);
        if (!noWait) {
          st = follow(client, st, out);
        }
        print(out, st);
        return st.state() == ClusterHost.Maintenance.IN_MAINTENANCE || noWait
            ? 0
            : ExitCode.FAILED.code();
      }
    }

    private MaintenanceStatus follow(ManagerClient client, MaintenanceStatus st, Output out)
        throws InterruptedException {
      String last = "";
      while (st.state() == ClusterHost.Maintenance.ENTERING && pending(st)) {
        String line = progressLine(st);
        if (!out.json() && !line.equals(last)) {
          out.line("%s", line);
          last = line;
        }
        ManagerCadence.pause(ManagerCadence.MAINTENANCE);
        st = client.maintenance(host);
      }
      return st;
    }
  }

  @Command(name = "exit", description = "Make HOST schedulable again.")
  static final class Exit extends ManagerCall {

    @Parameters(index = "0", paramLabel = "HOST")
    String host;

    @Override
    public Integer call() {
      Output out = out();
      try (ManagerClient client = manager.client()) {
        ClusterHost h = client.exitMaintenance(host);
        if (out.json()) {
          out.json(h);
        } else {
          out.line("%s: %s", h.name(), h.schedulable() ? "schedulable" : h.status().text());
        }
      }
      return 0;
    }
  }

  @Command(name = "status", description = "The evacuation of HOST, one line per VM.")
  static final class Status extends ManagerCall {

    @Parameters(index = "0", paramLabel = "HOST")
    String host;

    @Override
    public Integer call() {
      Output out = out();
      try (ManagerClient client = manager.client()) {
        print(out, client.maintenance(host));
      }
      return 0;
    }
  }

  static boolean pending(MaintenanceStatus st) {
    return st.vms().stream()
        .anyMatch(
            i ->
                i.status().equals("queued")
                    || i.status().equals("running")
                    || i.status().equals("planned"));
  }

  static String progressLine(MaintenanceStatus st) {
    int total = st.vms().size();
    long done = st.done();
    long running = st.vms().stream().filter(i -> i.status().equals("running")).count();
    int cells = total == 0 ? 20 : (int) (20 * done / total);
    return String.format(
        "%s [%s%s] %d/%d moved, %d moving, %d waiting",
        st.host(),
        "#".repeat(cells),
        ".".repeat(20 - cells),
        done,
        total,
        running,
        st.vms().stream().filter(i -> i.status().equals("queued")).count());
  }

  static void print(Output out, MaintenanceStatus st) {
    if (out.json()) {
      out.json(st);
      return;
    }
    out.table(
        ClusterRender.EVACUATION_HEADER,
        st.vms().stream().map(ClusterRender::evacuationRow).toList());
    out.line(
        "%s: %s (%d of %d VMs moved)", st.host(), st.state().text(), st.done(), st.vms().size());
  }
}
