package dev.ferry.migration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConvergencePolicyTest {
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
  private static final DataRate B = DataRate.ofMebibytesPerSecond(100);
  private static final DataRate D = DataRate.ofMebibytesPerSecond(400);
  private static final ByteSize LEFT = ByteSize.ofMiB(300);

  private static MigrationSettings settings(boolean postcopy, TimeoutAction action) {
    return new MigrationSettings(
        Optional.empty(),
        Duration.ofMillis(30),
        Duration.ofMillis(240),
        1,
        true,
        postcopy,
        Optional.of(Duration.ofSeconds(20)),
        action,
        false,
        false);
  }

  @Test
  void raisesTheDowntimeTargetStepByStepUpToTheMaximum() {
    ConvergencePolicy p =
        new ConvergencePolicy(settings(false, TimeoutAction.ABORT), T0, Duration.ofSeconds(20));
    Duration slow = Duration.ofSeconds(3);
    assertThat(p.onSample(T0.plusSeconds(1), 2, LEFT, B, D, slow, false))
        .isInstanceOf(PolicyDecision.Continue.class);
    var d1 = p.onSample(T0.plusSeconds(2), 3, LEFT, B, D, slow, false);
    assertThat(d1)
        .isEqualTo(
            new PolicyDecision.SetDowntimeLimit(
                Duration.ofMillis(60), ((PolicyDecision.SetDowntimeLimit) d1).reason()));
    p.onSample(T0.plusSeconds(3), 5, LEFT, B, D, slow, false);
    p.onSample(T0.plusSeconds(4), 7, LEFT, B, D, slow, false);
    var d4 = p.onSample(T0.plusSeconds(5), 9, LEFT, B, D, slow, false);
    assertThat(p.downtimeTarget()).isEqualTo(Duration.ofMillis(240));
    assertThat(d4).isInstanceOf(PolicyDecision.Continue.class);
  }

  @Test
  void doesNotStepWhileConverging() {
    ConvergencePolicy p =
        new ConvergencePolicy(settings(false, TimeoutAction.ABORT), T0, Duration.ofSeconds(20));
    assertThat(p.onSample(T0.plusSeconds(1), 9, LEFT, B, D, Duration.ofMillis(10), false))
        .isInstanceOf(PolicyDecision.Continue.class);
    assertThat(p.downtimeTarget()).isEqualTo(Duration.ofMillis(30));
  }

  @Test
  void switchesToPostcopyAtTheMaximumWhenAllowed() {
    ConvergencePolicy p =
        new ConvergencePolicy(settings(true, TimeoutAction.ABORT), T0, Duration.ofSeconds(20));
    PolicyDecision last = null;
    for (int pass = 3; pass < 20; pass += 2) {
      last = p.onSample(T0.plusSeconds(pass / 2), pass, LEFT, B, D, Duration.ofSeconds(3), false);
      if (last instanceof PolicyDecision.StartPostcopy) {
        break;
      }
    }
    assertThat(last).isInstanceOf(PolicyDecision.StartPostcopy.class);
  }

  @Test
  void abortsAtTheEndOfTheBudget() {
    ConvergencePolicy p =
        new ConvergencePolicy(settings(false, TimeoutAction.ABORT), T0, Duration.ofSeconds(20));
    var d = p.onSample(T0.plusSeconds(20), 40, LEFT, B, D, Duration.ofSeconds(3), false);
    assertThat(d).isInstanceOf(PolicyDecision.Abort.class);
    assertThat(((PolicyDecision.Abort) d).reason()).contains("time budget of 20 s exhausted");
  }

  @Test
  void forceWithoutPostcopyStopsAndCopiesThenAbortsIfThatHangs() {
    ConvergencePolicy p =
        new ConvergencePolicy(settings(false, TimeoutAction.FORCE), T0, Duration.ofSeconds(20));
    var d = p.onSample(T0.plusSeconds(20), 40, LEFT, B, D, Duration.ofSeconds(3), false);
    assertThat(d).isInstanceOf(PolicyDecision.SetDowntimeLimit.class);
    Duration forced = ((PolicyDecision.SetDowntimeLimit) d).limit();
    assertThat(forced).isGreaterThanOrEqualTo(Duration.ofSeconds(3)); // 300 MiB at 100 MiB/s
    assertThat(p.forced()).isTrue();
    assertThat(p.onSample(T0.plusSeconds(21), 41, LEFT, B, D, Duration.ofSeconds(3), false))
        .isInstanceOf(PolicyDecision.Continue.class);
    Duration grace =
        forced.multipliedBy(3).compareTo(Duration.ofSeconds(10)) < 0
            ? Duration.ofSeconds(10)
            : forced.multipliedBy(3);
    var raised =
        p.onSample(
            T0.plusSeconds(20).plus(grace.dividedBy(2)).plusMillis(1),
            42,
            LEFT,
            B,
            D,
            Duration.ofSeconds(3),
            false);
    assertThat(raised)
        .as("halfway through the grace, the limit is raised once")
        .isInstanceOfSatisfying(
            PolicyDecision.SetDowntimeLimit.class,
            s -> assertThat(s.limit()).isGreaterThan(forced));
    assertThat(p.onSample(T0.plusSeconds(60), 43, LEFT, B, D, Duration.ofSeconds(3), false))
        .isInstanceOf(PolicyDecision.Abort.class);
  }

  @Test
  void forceWithPostcopySwitchesToPostcopy() {
    ConvergencePolicy p =
        new ConvergencePolicy(settings(true, TimeoutAction.FORCE), T0, Duration.ofSeconds(20));
    assertThat(p.onSample(T0.plusSeconds(21), 4, LEFT, B, D, Duration.ofSeconds(3), false))
        .isInstanceOf(PolicyDecision.StartPostcopy.class);
  }

  @Test
  void aRequestedSwitchToPostcopyIsGivenTimeBeforeAStopAndCopyIsForced() {
    ConvergencePolicy p =
        new ConvergencePolicy(settings(true, TimeoutAction.FORCE), T0, Duration.ofSeconds(20));
    Duration slow = Duration.ofSeconds(3);
    assertThat(p.onSample(T0.plusSeconds(21), 4, LEFT, B, D, slow, false))
        .isInstanceOf(PolicyDecision.StartPostcopy.class);
    assertThat(p.onSample(T0.plusMillis(21_250), 4, LEFT, B, D, slow, false))
        .as("QEMU has not switched yet: a forced stop-and-copy would overtake it")
        .isInstanceOf(PolicyDecision.Continue.class);
    assertThat(p.onSample(T0.plusSeconds(27), 5, LEFT, B, D, slow, false))
        .as("post-copy never started")
        .isInstanceOf(PolicyDecision.SetDowntimeLimit.class);
  }

  @Test
  void withPostcopyAllowedAGuestDirtyingFasterThanTheStreamSwitchesAfterTheFirstPass() {
    ConvergencePolicy p =
        new ConvergencePolicy(settings(true, TimeoutAction.FORCE), T0, Duration.ofSeconds(60));
    Duration slow = Duration.ofSeconds(3);
    assertThat(p.onSample(T0.plusSeconds(3), 1, LEFT, B, D, slow, false))
        .as("still in the first pass")
        .isInstanceOf(PolicyDecision.Continue.class);
    assertThat(p.onSample(T0.plusSeconds(10), 2, LEFT, B, D, slow, false))
        .isInstanceOfSatisfying(
            PolicyDecision.StartPostcopy.class,
            d -> assertThat(d.reason()).contains("dirties faster than the stream"));
    ConvergencePolicy slower =
        new ConvergencePolicy(settings(true, TimeoutAction.FORCE), T0, Duration.ofSeconds(60));
    assertThat(slower.onSample(T0.plusSeconds(10), 2, LEFT, D, B, slow, false))
        .as("a guest the stream outpaces keeps converging by pre-copy")
        .isNotInstanceOf(PolicyDecision.StartPostcopy.class);
  }
}
