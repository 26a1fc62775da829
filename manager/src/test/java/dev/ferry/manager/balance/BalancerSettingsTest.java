package dev.ferry.manager.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BalancerSettingsTest {

  @Test
  void defaultsAreManualModerateHourlyAndSixteenMoves() {
    BalancerSettings s = BalancerSettings.defaults();

    assertThat(s.mode()).isEqualTo(BalancerSettings.Mode.MANUAL);
    assertThat(s.aggressiveness()).isEqualTo(3);
    assertThat(s.noRepeatWindow()).isEqualTo(Duration.ofHours(1));
    assertThat(s.maxMovesPerPass()).isEqualTo(16);
    assertThat(s.linkBytesPerSecond()).isEqualTo(1L << 30);
  }

  @Test
  void higherAggressivenessLowersTheThreshold() {
    double previous = Double.MAX_VALUE;
    for (int a = 1; a <= 5; a++) {
      double threshold = BalancerSettings.defaults().withAggressiveness(a).minimumNetBenefit();
      assertThat(threshold).isPositive().isLessThan(previous);
      previous = threshold;
    }
  }

  @Test
  void rejectsAggressivenessOutsideOneToFive() {
    assertThatThrownBy(() -> BalancerSettings.defaults().withAggressiveness(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("aggressiveness must be 1 (conservative) to 5 (aggressive), got 0");
    assertThatThrownBy(() -> BalancerSettings.defaults().withAggressiveness(6))
        .hasMessage("aggressiveness must be 1 (conservative) to 5 (aggressive), got 6");
  }

  @Test
  void rejectsANegativeOrMissingNoRepeatWindow() {
    assertThatThrownBy(() -> BalancerSettings.defaults().withNoRepeatWindow(Duration.ofMinutes(-5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("noRepeatWindow must be zero or more, got PT-5M");
    assertThatThrownBy(() -> BalancerSettings.defaults().withNoRepeatWindow(null))
        .hasMessage("noRepeatWindow must be zero or more, got null");
  }

  @Test
  void rejectsFewerThanOneMovePerPass() {
    assertThatThrownBy(() -> BalancerSettings.defaults().withMaxMovesPerPass(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxMovesPerPass must be at least 1, got 0");
  }

  @Test
  void rejectsAMissingModeAndANonPositiveLinkRate() {
    assertThatThrownBy(() -> BalancerSettings.defaults().withMode(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("mode must be OFF, MANUAL or AUTOMATIC, got null");
    assertThatThrownBy(() -> BalancerSettings.defaults().withLinkBytesPerSecond(0))
        .hasMessage("linkBytesPerSecond must be positive, got 0");
  }
}
