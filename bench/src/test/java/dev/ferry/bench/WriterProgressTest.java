package dev.ferry.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.common.DataRate;
import org.junit.jupiter.api.Test;

class WriterProgressTest {
  private static final String STATUS =
      """
      {"ok":true,"hostname":"qemu-d-1","ip":"198.18.77.100","kernel":"6.1.0","uptimeS":%s,\
      "loadavg":[0.50,0.20,0.10],"memTotalKiB":500000,"memAvailableKiB":450000,"echod":true,\
      "workloads":{"dirty":{"running":false},"diskwrite":{"running":true}},"diskwriteAcked":%s}
      """;

  @Test
  void readsTheAcknowledgedWritesAndTheGuestsUptime() {
    assertThat(WriterProgress.parse(STATUS.formatted("12.34", "5120")))
        .contains(new WriterProgress(5120, 12.34));
  }

  @Test
  void aGuestWithoutWriterOrAReplyThatIsNoStatusGivesNothing() {
    assertThat(WriterProgress.parse(STATUS.formatted("12.34", "null"))).isEmpty();
    assertThat(WriterProgress.parse("curl: (28) Operation timed out")).isEmpty();
    assertThat(WriterProgress.parse("")).isEmpty();
  }

  @Test
  void twoSamplesGiveTheRateTheGuestWroteAt() {
    // 2,560 blocks of 4 KiB in 2 s of guest time: 5 MiB/s.
    WriterProgress before = new WriterProgress(1000, 10.0);
    WriterProgress after = new WriterProgress(3560, 12.0);

    assertThat(after.rateSince(before)).contains(DataRate.ofMiBPerSecond(5));
  }

  @Test
  void noTimeOrARestartedWriterGivesNoRate() {
    WriterProgress p = new WriterProgress(1000, 10.0);

    assertThat(p.rateSince(p)).isEmpty();
    assertThat(new WriterProgress(10, 11.0).rateSince(p)).isEmpty();
  }
}
