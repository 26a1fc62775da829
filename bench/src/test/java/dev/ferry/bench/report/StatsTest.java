package dev.ferry.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.common.ByteSize;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {

  @Test
  void medianOfAnOddCountIsTheMiddleValue() {
    assertThat(Stats.median(List.of(9L, 1L, 5L))).contains(5L);
    assertThat(Stats.median(List.of(7L))).contains(7L);
  }

  @Test
  void medianOfAnEvenCountIsTheMeanOfTheTwoMiddleValuesRoundedDown() {
    assertThat(Stats.median(List.of(4L, 1L, 2L, 100L))).contains(3L);
    assertThat(Stats.median(List.of(1L, 2L))).contains(1L);
    assertThat(Stats.median(List.of(3L, 3L))).contains(3L);
  }

  @Test
  void medianOfLargeValuesDoesNotOverflow() {
    assertThat(Stats.median(List.of(Long.MAX_VALUE, Long.MAX_VALUE))).contains(Long.MAX_VALUE);
  }

  @Test
  void medianOfNothingIsEmpty() {
    assertThat(Stats.median(List.of())).isEmpty();
    assertThat(Stats.medianDuration(List.of())).isEmpty();
  }

  @Test
  void mediansOfDurationsAndSizes() {
    assertThat(
            Stats.medianDuration(
                List.of(Duration.ofMillis(300), Duration.ofMillis(100), Duration.ofMillis(200))))
        .contains(Duration.ofMillis(200));
    assertThat(Stats.medianSize(List.of(ByteSize.ofMiB(1), ByteSize.ofMiB(3))))
        .contains(ByteSize.ofMiB(2));
  }
}
