package dev.ferry.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinkMeterTest {

  @Test
  void aSendersReportGivesItsRate() {
    // 1 GiB in 2 s.
    assertThat(LinkMeter.parse("bytes=1073741824 nanos=2000000000\n"))
        .isEqualTo(DataRate.ofMiBPerSecond(512));
  }

  @Test
  void anythingElseFromTheSenderIsAnError() {
    assertThatThrownBy(() -> LinkMeter.parse("Connection refused"))
        .isInstanceOf(BenchException.class)
        .hasMessageContaining("Connection refused");
  }

  @Test
  void theBestTransferCountsAndEveryOneIsDescribed() {
    LinkMeter.Measurement m =
        new LinkMeter.Measurement(
            ByteSize.ofGiB(1),
            List.of(
                DataRate.ofMiBPerSecond(900),
                DataRate.ofMiBPerSecond(1100),
                DataRate.ofMiBPerSecond(1000)));

    assertThat(m.best()).isEqualTo(DataRate.ofMiBPerSecond(1100));
    assertThat(m.describe())
        .isEqualTo("best 1100.0 MiB/s of 3 TCP transfers of 1 GiB (900.0, 1100.0, 1000.0 MiB/s)");
  }

  @Test
  void aMeasurementNeedsATransfer() {
    assertThatThrownBy(() -> new LinkMeter.Measurement(ByteSize.ofGiB(1), List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
