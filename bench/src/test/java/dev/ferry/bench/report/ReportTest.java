package dev.ferry.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.bench.Outcome;
import dev.ferry.bench.RunResult;
import dev.ferry.bench.Scenario;
import dev.ferry.common.ByteSize;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
        Optional.of(Duration.ofMillis(totalMs - 150)));
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
        Optional.of(Duration.ofSeconds(12)));
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
            "| a | 1 | qemu | converged | 1,000 ms | 900 ms | 40 ms | 150 ms | 850 ms | 100 MiB |");
  }
}
