package dev.ferry.bench.report;

import dev.ferry.bench.LinkMeter;
import dev.ferry.bench.LowerBound;
import dev.ferry.bench.Outcome;
import dev.ferry.bench.RunResult;
import dev.ferry.bench.Scenario;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

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
 * @param link the link between the hosts as measured before the runs, if it was (scenarios with a
 *     disk to copy)
 * @param bounds per scenario id, the lower bound its totals are compared with, if known
 */
public record Report(
    Machine machine,
    List<Scenario> scenarios,
    List<String> peers,
    int runs,
    Duration giveUpAfter,
    List<RunResult> results,
    Optional<LinkMeter.Measurement> link,
    Map<String, LowerBound> bounds) {

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
          Table.Column.right("transferred"),
          Table.Column.right("moved"),
          Table.Column.right("guest writes"));

  /** The summary of a scenario with a disk to copy: bytes on the wire and the lower bound. */
  private static final List<Table.Column> STORAGE_COLUMNS =
      List.of(
          Table.Column.left("peer"),
          Table.Column.right("converged"),
          Table.Column.right("total"),
          Table.Column.right("migration"),
          Table.Column.right("downtime"),
          Table.Column.right("outage"),
          Table.Column.right("memory sent"),
          Table.Column.right("moved"),
          Table.Column.right("total ÷ bound"),
          Table.Column.right("guest writes"));

  public Report {
    Objects.requireNonNull(machine, "machine");
    scenarios = List.copyOf(scenarios);
    peers = List.copyOf(peers);
    results = List.copyOf(results);
    Objects.requireNonNull(link, "link");
    bounds = Map.copyOf(bounds);
  }

  /** A report without link measurement or lower bounds (scenarios without a disk). */
  public Report(
      Machine machine,
      List<Scenario> scenarios,
      List<String> peers,
      int runs,
      Duration giveUpAfter,
      List<RunResult> results) {
    this(machine, scenarios, peers, runs, giveUpAfter, results, Optional.empty(), Map.of());
  }

  /** The summary table of {@code scenario}: one row per peer. */
  public Table summary(Scenario scenario) {
    if (scenario.disk().isPresent()) {
      return storageSummary(scenario);
    }
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

  /**
   * The summary of a scenario with a disk to copy: also what crossed the source's link and how the
   * median total compares with the scenario's lower bound.
   */
  private Table storageSummary(Scenario scenario) {
    Optional<LowerBound> bound = Optional.ofNullable(bounds.get(scenario.id()));
    Table t = new Table(STORAGE_COLUMNS);
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
              Format.size(s.transferred()),
              Format.size(s.moved()),
              Format.ratio(bound.flatMap(b -> b.ratio(s.total()))),
              Format.rate(s.guestWrites())));
    }
    return t;
  }

  /**
   * The lower bound of {@code scenario} in words, if it has one: {@code lower bound 1.5 GiB (RAM
   * 512 MiB + disk data 1 GiB) at 1,000.0 MiB/s = 1,536 ms}.
   */
  public Optional<String> boundLine(Scenario scenario) {
    LowerBound b = bounds.get(scenario.id());
    if (b == null) {
      return Optional.empty();
    }
    return Optional.of(
        "lower bound "
            + Format.size(b.bytes())
            + " (RAM "
            + Format.size(scenario.memory())
            + " + disk data "
            + Format.size(b.bytes().minus(scenario.memory()))
            + ") at "
            + b.link()
            + " = "
            + Format.millis(b.time()));
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
              Format.size(r.transferred()),
              Format.size(r.moved()),
              Format.rate(r.guestWrites())));
    }
    return t;
  }

  /** The summary tables with their notes, for the terminal. */
  public String toText() {
    StringBuilder b = new StringBuilder();
    b.append("Machine: ").append(machine.oneLine()).append('\n');
    for (Scenario s : scenarios) {
      b.append('\n').append(heading(s)).append('\n');
      boundLine(s).ifPresent(l -> b.append("(").append(l).append(")\n"));
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
      boundLine(s)
          .ifPresent(l -> b.append("Total ÷ bound is against the ").append(l).append(".\n\n"));
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
        - **moved** (every run; in the summary of a scenario with a disk): bytes host-a sent over
          its link to the fabric from just before the probe started until the peer was done (the
          uplink's TX counter, read in host-a's namespace before and after): memory, disk copy
          and control traffic alike, measured the same way for every peer; includes the probe's
          replies while the guest is on host-a (~0.1 MB/s).
        - **memory sent** (scenarios with a disk): the migration stream alone, as `transferred`.
        - **guest writes** (scenarios with a disk): the rate the guest's disk writer achieved
          (acknowledged, durable 4 KiB writes by the guest's clock, from its `/cgi-bin/status`)
          from just before the migration request until after the settling time: the write load
          the peer really migrated under.
        - **total ÷ bound** (scenarios with a disk): the median total divided by the lower bound
          = (guest RAM + the data on the disk) ÷ the link's bandwidth. RAM counts in full
          (peers send zero pages as a few bytes) and the guest's writes during the migration do
          not count, so it is an approximate bound; it is the same for every peer.
        """);
    link.ifPresent(
        l ->
            b.append("- **link**: measured once before the runs, with ")
                .append(l.describe())
                .append(
                    " from host-a's namespace to a sink on host-b's address, each timed from the"
                        + " first byte sent to the sink's acknowledgement of the last; the bound"
                        + " uses the best.\n"));
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
