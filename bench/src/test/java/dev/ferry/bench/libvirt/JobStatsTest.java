package dev.ferry.bench.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.common.ByteSize;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class JobStatsTest {

  @Test
  void readsElapsedDowntimeAndBytesFromRawStats() {
    String raw =
        """
        Job type: 3

        operation: 4
        time_elapsed: 2224
        time_elapsed_net: 2221
        downtime: 445
        downtime_net: 442
        setup_time: 3
        data_total: 537665536
        data_processed: 106054829
        data_remaining: 0
        memory_bps: 94163532
        """;

    JobStats s = JobStats.parse(raw);

    assertThat(s.elapsed()).contains(Duration.ofMillis(2224));
    assertThat(s.downtime()).contains(Duration.ofMillis(445));
    assertThat(s.transferred()).contains(ByteSize.ofBytes(106054829));
  }

  @Test
  void missingOrMalformedFiguresStayEmpty() {
    JobStats s = JobStats.parse("Job type: 0\n\ntime_elapsed: soon\n");

    assertThat(s).isEqualTo(JobStats.NONE);
  }
}
