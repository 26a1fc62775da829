package dev.ferry.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LowerBoundTest {

  @Test
  void theBoundIsRamPlusDiskDataAtTheLinkRate() {
    LowerBound b =
        LowerBound.of(Scenario.STORAGE, ByteSize.ofGiB(1), DataRate.ofMiBPerSecond(1024));

    assertThat(b.bytes()).isEqualTo(ByteSize.ofMiB(1536));
    assertThat(b.time()).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void theRatioIsTheTotalOverTheBound() {
    LowerBound b = new LowerBound(ByteSize.ofMiB(500), DataRate.ofMiBPerSecond(250));

    assertThat(b.ratio(Optional.of(Duration.ofSeconds(10)))).contains(5.0);
    assertThat(b.ratio(Optional.of(Duration.ofSeconds(1)))).contains(0.5);
    assertThat(b.ratio(Optional.empty())).isEmpty();
  }

  @Test
  void nothingToMoveHasNoRatio() {
    assertThat(
            new LowerBound(ByteSize.ZERO, DataRate.ofMiBPerSecond(1))
                .ratio(Optional.of(Duration.ofSeconds(1))))
        .isEmpty();
  }

  @Test
  void aLinkThatCarriedNothingIsRejected() {
    assertThatThrownBy(() -> new LowerBound(ByteSize.ofGiB(1), DataRate.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be positive");
  }
}
