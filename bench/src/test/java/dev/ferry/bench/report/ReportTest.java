package dev.ferry.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.bench.LinkMeter;
import dev.ferry.bench.LowerBound;
import dev.ferry.bench.Outcome;
import dev.ferry.bench.RunResult;
import dev.ferry.bench.Scenario;
import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReportTest {
  private static final Machine MACHINE =
      new Machine(
          "Test CPU",
          2,
          ByteSize.ofGiB(24),
          "6.1.0",
          "Debian GNU/Linux 12 (bookworm)",
          "7.2.22",
          Optional.of("9.0.0"),
          "tcg",
          "25",
          "0.10 0.20 0.30",
          Instant.parse("2026-11-25T12:00:00Z"));

  private static RunResult converged(String peer, int run, long totalMs, long outageMs) {
    return new RunResult(
        peer,
        "a",
        run,
        new Outcome.Converged(),
        Optional.of(Duration.ofMillis(totalMs)),
        Optional.of(Duration.ofMillis(totalMs - 100)),
        Optional.of(Duration.ofMillis(40)),
        Optional.of(Duration.ofMillis(outageMs)),
        Optional.of(ByteSize.ofMiB(100)),
        Optional.of(Duration.ofMillis(totalMs - 150)),
        Optional.of(ByteSize.ofMiB(110)),
        Optional.empty());
  }

  private static RunResult gaveUp(String peer, int run) {
    return new RunResult(
        peer,
        "a",
        run,
        new Outcome.NotConverged(Duration.ofSeconds(90)),
        Optional.of(Duration.ofSeconds(90)),
        Optional.empty(),
        Optional.empty(),
        Optional.of(Duration.ofMillis(500)),
        Optional.of(ByteSize.ofGiB(8)),
        Optional.of(Duration.ofSeconds(12)),
        Optional.of(ByteSize.ofGiB(9)),
        Optional.empty());
  }

  private static Report report(List<RunResult> results) {
    return new Report(
        MACHINE,
        List.of(Scenario.IDLE),
        List.of("qemu", "libvirt", "ferry"),
        3,
        Duration.ofSeconds(90),
        results);
  }

  @Test
  void summaryShowsMediansOverConvergedRunsOnly() {
    Report r =
        report(
            List.of(
                converged("qemu", 1, 1000, 150),
                converged("qemu", 2, 3000, 170),
                gaveUp("qemu", 3),
                RunResult.without(
                    "ferry", Scenario.IDLE, 1, new Outcome.Unavailable("not yet wired"))));

    List<List<String>> rows = r.summary(Scenario.IDLE).rows();

    assertThat(rows.get(0))
        .containsExactly("qemu", "2/3", "2,000 ms", "1,900 ms", "40 ms", "160 ms", "100 MiB");
    assertThat(rows.get(1)).containsExactly("libvirt", "0/0", "—", "—", "—", "—", "—");
    assertThat(rows.get(2)).containsExactly("ferry", "0/1", "—", "—", "—", "—", "—");
  }

  @Test
  void notesTellWhatHappenedToRunsThatDidNotConverge() {
    Report r =
        report(
            List.of(
                gaveUp("qemu", 1),
                RunResult.without("libvirt", Scenario.IDLE, 1, new Outcome.Failed("no domain")),
                RunResult.without(
                    "ferry", Scenario.IDLE, 1, new Outcome.Unavailable("not yet wired")),
                RunResult.without(
                    "ferry", Scenario.IDLE, 2, new Outcome.Unavailable("not yet wired"))));

    assertThat(r.notes(Scenario.IDLE))
        .containsExactly(
            "qemu: 1 of 1 runs did not converge within 90 s and were cancelled;"
                + " median sent before cancelling 8 GiB; median outage meanwhile 500 ms",
            "libvirt: run 1 failed: no domain",
            "ferry: unavailable: not yet wired");
  }

  @Test
  void markdownDescribesTheMachineAndListsEveryRun() {
    String md = report(List.of(converged("qemu", 1, 1000, 150))).toMarkdown();

    assertThat(md)
        .startsWith("# Ferry migration benchmark")
        .contains("| CPU | Test CPU |")
        .contains("| QEMU | 7.2.22 |")
        .contains("| libvirt | 9.0.0 |")
        .contains("| Load at start | 0.10 0.20 0.30 |")
        .contains("## Scenario a: idle, 512 MiB")
        .contains("| qemu | 1/1 | 1,000 ms | 900 ms | 40 ms | 150 ms | 100 MiB |")
        .contains("## Every run")
        .contains(
            "| a | 1 | qemu | converged | 1,000 ms | 900 ms | 40 ms | 150 ms | 850 ms | 100 MiB"
                + " | 110 MiB | — |");
  }

  private static RunResult storageRun(String peer, int run, long totalMs, long movedMiB) {
    return new RunResult(
        peer,
        "d",
        run,
        new Outcome.Converged(),
        Optional.of(Duration.ofMillis(totalMs)),
        Optional.of(Duration.ofMillis(2000)),
        Optional.of(Duration.ofMillis(30)),
        Optional.of(Duration.ofMillis(200)),
        Optional.of(ByteSize.ofMiB(100)),
        Optional.of(Duration.ofMillis(totalMs - 100)),
        Optional.of(ByteSize.ofMiB(movedMiB)),
        Optional.of(DataRate.ofMiBPerSecond(5)));
  }

  private static Report storageReport(List<RunResult> results) {
    // 1.5 GiB at 512 MiB/s: a bound of 3 s.
    LowerBound bound =
        LowerBound.of(Scenario.STORAGE, ByteSize.ofGiB(1), DataRate.ofMiBPerSecond(512));
    return new Report(
        MACHINE,
        List.of(Scenario.STORAGE),
        List.of("ferry", "qemu"),
        2,
        Duration.ofSeconds(90),
        results,
        Optional.of(
            new LinkMeter.Measurement(
                ByteSize.ofGiB(1),
                List.of(DataRate.ofMiBPerSecond(500), DataRate.ofMiBPerSecond(512)))),
        Map.of("d", bound));
  }

  @Test
  void storageSummaryShowsBytesMovedAndTheMedianTotalAgainstTheLowerBound() {
    Report r =
        storageReport(
            List.of(
                storageRun("ferry", 1, 6000, 1200),
                storageRun("ferry", 2, 9000, 1300),
                RunResult.without(
                    "qemu", Scenario.STORAGE, 1, new Outcome.Failed("mirror failed"))));

    List<List<String>> rows = r.summary(Scenario.STORAGE).rows();

    assertThat(rows.get(0))
        .containsExactly(
            "ferry",
            "2/2",
            "7,500 ms",
            "2,000 ms",
            "30 ms",
            "200 ms",
            "100 MiB",
            "1.2 GiB",
            "2.5×",
            "5.0 MiB/s");
    assertThat(rows.get(1)).containsExactly("qemu", "0/1", "—", "—", "—", "—", "—", "—", "—", "—");
    assertThat(r.boundLine(Scenario.STORAGE))
        .contains("lower bound 1.5 GiB (RAM 512 MiB + disk data 1 GiB) at 512.0 MiB/s = 3,000 ms");
    assertThat(r.boundLine(Scenario.IDLE)).isEmpty();
  }

  @Test
  void markdownSaysHowTheLinkWasMeasured() {
    String md = storageReport(List.of(storageRun("ferry", 1, 6000, 1200))).toMarkdown();

    assertThat(md)
        .contains("Total ÷ bound is against the lower bound 1.5 GiB")
        .contains("| peer | converged | total | migration | downtime | outage | memory sent |")
        .contains(
            "| ferry | 1/1 | 6,000 ms | 2,000 ms | 30 ms | 200 ms | 100 MiB | 1.2 GiB | 2.0× |")
        .contains("best 512.0 MiB/s of 2 TCP transfers of 1 GiB (500.0, 512.0 MiB/s)");
  }

  @Test
  void reportsWithoutADiskScenarioKeepTheirTable() {
    assertThat(report(List.of()).summary(Scenario.IDLE).rows()).hasSize(3);
    assertThat(report(List.of()).toMarkdown()).doesNotContain("total ÷ bound |");
  }
}
