package dev.ferry.migration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PredictorAndProgressTest {
  private static final Predictor.Estimates EST = Predictor.Estimates.defaults();

  @Test
  void idleGuestConvergesInAFewPassesWithAShortPause() {
    Prediction p =
        Predictor.predict(
            ByteSize.ofMiB(512),
            DataRate.ZERO,
            DataRate.ofMebibytesPerSecond(1000),
            Duration.ofMillis(30),
            Duration.ofSeconds(60),
            EST);
    assertThat(p.converges()).isTrue();
    assertThat(p.passes()).isLessThanOrEqualTo(2);
    assertThat(p.duration()).isLessThan(Duration.ofSeconds(4));
    assertThat(p.downtime()).isLessThan(Duration.ofMillis(200));
  }

  @Test
  void dirtyingSlowerThanTheStreamConvergesLater() {
    Prediction idle =
        Predictor.predict(
            ByteSize.ofGiB(1),
            DataRate.ZERO,
            DataRate.ofMebibytesPerSecond(1000),
            Duration.ofMillis(30),
            Duration.ofSeconds(60),
            EST);
    Prediction busy =
        Predictor.predict(
            ByteSize.ofGiB(1),
            DataRate.ofMebibytesPerSecond(64),
            DataRate.ofMebibytesPerSecond(1000),
            Duration.ofMillis(30),
            Duration.ofSeconds(60),
            EST);
    assertThat(busy.converges()).isTrue();
    assertThat(busy.duration()).isGreaterThan(idle.duration());
    assertThat(busy.passes()).isGreaterThan(idle.passes());
  }

  @Test
  void dirtyingFasterThanTheLinkDoesNotConverge() {
    Prediction p =
        Predictor.predict(
            ByteSize.ofGiB(1),
            DataRate.ofMebibytesPerSecond(400),
            DataRate.ofMebibytesPerSecond(100),
            Duration.ofMillis(30),
            Duration.ofSeconds(60),
            EST);
    assertThat(p.converges()).isFalse();
    assertThat(p.duration()).isEqualTo(Duration.ofSeconds(60));
    assertThat(p.summary()).contains("will not converge");
  }

  @Test
  void budgetIsBoundedBothWays() {
    assertThat(Predictor.budgetFor(Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(60));
    assertThat(Predictor.budgetFor(Duration.ofMinutes(20))).isEqualTo(Duration.ofMinutes(30));
  }

  @Test
  void progressNeverRunsBackwardsWithinAPhase() {
    Instant t = Instant.parse("2026-11-25T10:00:00Z");
    ProgressTracker tracker =
        new ProgressTracker(
            Progress.start(t, MigrationPhase.PRECOPY, ByteSize.ofMiB(100), Duration.ofMillis(30)));
    double last = -1;
    long[][] samples = {{10, 90}, {40, 60}, {50, 80}, {60, 30}, {55, 45}, {90, 5}};
    for (long[] s : samples) {
      Progress p =
          tracker.sample(
              t,
              MigrationPhase.PRECOPY,
              1,
              ByteSize.ofMiB(s[0]),
              ByteSize.ofMiB(s[1]),
              ByteSize.ofMiB(100),
              DataRate.ofMebibytesPerSecond(10),
              DataRate.ofMebibytesPerSecond(100),
              Duration.ofMillis(30),
              Optional.empty(),
              0,
              List.of());
      assertThat(p.percent()).isGreaterThanOrEqualTo(last);
      last = p.percent();
    }
    assertThat(tracker.last().transferred()).isEqualTo(ByteSize.ofMiB(90));
    assertThat(tracker.last().eta()).isPresent();
  }
}
