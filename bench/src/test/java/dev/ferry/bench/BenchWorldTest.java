package dev.ferry.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.lab.testbed.ProbeResult;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchWorldTest {
  private static ProbeResult probe(double maxGap, double tailGap, List<ProbeResult.Gap> gaps) {
    return new ProbeResult(
        "198.18.77.100",
        "signal",
        5000,
        5000,
        4800,
        200,
        maxGap,
        tailGap,
        0.4,
        0.9,
        0.5,
        4990.0,
        5,
        gaps);
  }

  @Test
  void outageStartsAtTheLongestGap() {
    ProbeResult p =
        probe(
            180,
            2,
            List.of(
                new ProbeResult.Gap(400, 12),
                new ProbeResult.Gap(2900, 180),
                new ProbeResult.Gap(3500, 20)));

    assertThat(BenchWorld.outageStart(p)).contains(Duration.ofMillis(2900));
  }

  @Test
  void aGuestThatNeverAnsweredAgainWentAwayAtItsLastReply() {
    ProbeResult p = probe(30, 4000, List.of(new ProbeResult.Gap(100, 30)));

    assertThat(BenchWorld.outageStart(p)).contains(Duration.ofMillis(4990));
  }
}
