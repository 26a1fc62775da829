package dev.ferry.bench.report;

import dev.ferry.bench.Outcome;
import dev.ferry.bench.RunResult;
import dev.ferry.bench.Scenario;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The benchmark's results as the terminal and the report file show them: per scenario, one row per
 * peer with medians over converged runs, notes for the runs that did not converge, the machine, and
 * every run.
 *
 * @param machine where it ran
 * @param scenarios the scenarios, in table order
 * @param peers the peers, in table order
 * @param runs runs per scenario and peer
 * @param giveUpAfter how long a migration could run before it counted as not converging
 * @param results every run's result
 */
public record Report(
    Machine machine,
    List<Scenario> scenarios,
    List<String> peers,
    int runs,
    Duration giveUpAfter,
    List<RunResult> results) {

  private static final List<Table.Column> SUMMARY_COLUMNS =
      List.of(
          Table.Column.left("peer"),
          Table.Column.right("converged"),
          Table.Column.right("total"),
          Table.Column.right("migration"),
          Table.Column.right("downtime"),
          Table.Column.right("outage"),
          Table.Column.right("transferred"));

  private static final List<Table.Column> RUN_COLUMNS =
      List.of(
          Table.Column.left("scenario"),
          Table.Column.right("run"),
          Table.Column.left("peer"),
          Table.Column.left("outcome"),
          Table.Column.right("total"),
          Table.Column.right("migration"),
          Table.Column.right("downtime"),
          Table.Column.right("outage"),
          Table.Column.right("outage at"),
          Table.Column.right("transferred"));

  public Report {
    Objects.requireNonNull(machine, "machine");
    scenarios = List.copyOf(scenarios);
    peers = List.copyOf(peers);
    results = List.copyOf(results);
  }

  /** The summary table of {@code scenario}: one row per peer. */
  public Table summary(Scenario scenario) {
    Table t = new Table(SUMMARY_COLUMNS);
    for (String peer : peers) {
      PeerSummary s = PeerSummary.of(peer, resultsOf(scenario, peer));
      t.add(
          List.of(
              peer,
              s.converged() + "/" + s.runs(),
              Format.millis(s.total()),
              Format.millis(s.migration()),
              Format.millis(s.downtime()),
              Format.millis(s.outage()),
              Format.size(s.transferred())));
    }
    return t;
  }

  /** What happened to the runs of {@code scenario} that did not converge, per peer. */
  public List<String> notes(Scenario scenario) {
    return peers.stream()
        .flatMap(
            p -> PeerSummary.of(p, resultsOf(scenario, p)).notes().stream().map(n -> p + ": " + n))
        .toList();
  }

  /** Every run, in the order they were made. */
  public Table allRuns() {
    Table t = new Table(RUN_COLUMNS);
    for (RunResult r : results) {
      t.add(
          List.of(
              r.scenario(),
              Integer.toString(r.run()),
              r.peer(),
              r.outcome().converged() ? "converged" : shortOutcome(r),
              Format.millis(r.total()),
              Format.millis(r.migration()),
              Format.millis(r.downtime()),
              Format.millis(r.outage()),
              Format.millis(r.outageAt()),
              Format.size(r.transferred())));
    }
    return t;
  }

  /** The summary tables with their notes, for the terminal. */
  public String toText() {
    StringBuilder b = new StringBuilder();
    b.append("Machine: ").append(machine.oneLine()).append('\n');
    for (Scenario s : scenarios) {
      b.append('\n').append(heading(s)).append('\n');
      b.append(summary(s).toText());
      notes(s).forEach(n -> b.append("  * ").append(n).append('\n'));
    }
    return b.toString();
  }

  /** The whole report as a markdown document. */
  public String toMarkdown() {
    StringBuilder b = new StringBuilder();
    b.append("# Ferry migration benchmark\n\n");
    b.append(
        String.format(
            "%d run(s) per scenario and peer, interleaved: run i migrates every scenario with"
                + " every peer in turn (the peer order rotates by one each run), so drift on the"
                + " machine hits all peers alike. Peers: %s.%n%n",
            runs, String.join(", ", peers)));
    b.append("## Machine\n\n");
    Table m = new Table(List.of(Table.Column.left("fact"), Table.Column.left("value")));
    for (Map.Entry<String, String> e : machine.facts().entrySet()) {
      m.add(List.of(e.getKey(), e.getValue()));
    }
    b.append(m.toMarkdown());
    for (Scenario s : scenarios) {
      b.append("\n## ").append(heading(s)).append("\n\n");
      b.append(summary(s).toMarkdown());
      List<String> notes = notes(s);
      if (!notes.isEmpty()) {
        b.append('\n');
        notes.forEach(n -> b.append("- ").append(n).append('\n'));
      }
    }
    b.append("\n## Columns\n\n");
    b.append(
        """
        Figures are medians over the runs that converged; `converged` counts them.

        - **total**: from the migration request until the guest runs on the destination, as the
          caller of the peer sees it, including preparing the destination (plain QEMU: starting
          the destination QEMU, `migrate-incoming`, `migrate`, `cont`; libvirt: the `virsh
          migrate` command).
        - **migration**: the hypervisor's own duration of the migration stream (QEMU's
          `total-time`; libvirt: the job's `time_elapsed`).
        - **downtime**: the hypervisor's own figure for the pause (QEMU's `downtime`; libvirt:
          the job's `downtime`, which libvirt measures from the pause on the source to the resume
          on the destination, so it includes more than QEMU's figure).
        - **outage**: the longest gap between answers seen by a client in another namespace
          sending one UDP datagram per millisecond to the guest's echo service: what a user sees.
        - **transferred**: bytes the migration stream carried (QEMU's `ram.transferred`;
          libvirt: `data_processed`).
        - **outage at** (every run): when the longest gap began, counted from the migration
          request; an outage at the switchover begins near the end of the migration.
        """);
    b.append("A migration still running after ")
        .append(giveUpAfter.toSeconds())
        .append(" s counts as not converged and is cancelled; the guest stays on the source.\n");
    b.append("\n## Every run\n\n");
    b.append(allRuns().toMarkdown());
    return b.toString();
  }

  private List<RunResult> resultsOf(Scenario scenario, String peer) {
    return results.stream()
        .filter(r -> r.scenario().equals(scenario.id()) && r.peer().equals(peer))
        .toList();
  }

  private static String heading(Scenario s) {
    return "Scenario " + s.id() + ": " + s.title();
  }

  private static String shortOutcome(RunResult r) {
    return switch (r.outcome()) {
      case Outcome.NotConverged n -> "not converged (" + n.gaveUpAfter().toSeconds() + " s)";
      case Outcome.Failed f -> "failed";
      case Outcome.Unavailable u -> "unavailable";
      case Outcome.Converged c -> "converged";
    };
  }
}
