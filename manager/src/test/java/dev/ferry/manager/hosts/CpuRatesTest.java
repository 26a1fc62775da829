package dev.ferry.manager.hosts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.HostLoadSample;
import dev.ferry.common.ByteSize;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CpuRatesTest {
  static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");

  static HostLoadSample at(long millis, double cpuSeconds) {
    return new HostLoadSample(
        T0.plusMillis(millis),
        2,
        0.5,
        ByteSize.ofGiB(8),
        ByteSize.ofMiB(256),
        List.of(
            new HostLoadSample.Vm("vm1", cpuSeconds, ByteSize.ofMiB(200), ByteSize.ofMiB(256))));
  }

  @Test
  void aRateIsCpuSecondsOverTheWindow() {
    CpuRates rates = new CpuRates();
    assertThat(rates.update("a", at(0, 10))).isZero();
    assertThat(rates.update("a", at(2000, 11))).isEqualTo(0.5);
    assertThat(rates.vm("vm1")).isEqualTo(0.5);
  }

  @Test
  void aSampleRightAfterAnotherKeepsTheLastRateInsteadOfDividingByZero() {
    CpuRates rates = new CpuRates();
    rates.update("a", at(0, 10));
    rates.update("a", at(2000, 11));
    for (long ms : new long[] {2000, 2001, 2100}) {
      double cpu = rates.update("a", at(ms, 11.01));
      assertThat(cpu).as("at %d ms", ms).isFinite().isEqualTo(0.5);
    }
    assertThat(rates.vm("vm1")).isFinite().isEqualTo(0.5);
    assertThat(rates.update("a", at(4000, 12)))
        .as("measured against the 2 s sample")
        .isEqualTo(0.5);
  }

  @Test
  void anOlderSampleArrivingLateDoesNotMakeANegativeRate() {
    CpuRates rates = new CpuRates();
    rates.update("a", at(2000, 11));
    assertThat(rates.update("a", at(1000, 10.5))).isFinite().isNotNegative();
  }
}
