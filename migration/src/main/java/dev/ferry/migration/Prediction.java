package dev.ferry.migration;

import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import java.time.Duration;

/**
 * What Ferry expects of a migration before it starts, from the measured dirty rate and bandwidth.
 * Reported next to the result so the model can be judged.
 *
 * @param memory guest RAM
 * @param dirtyRate measured guest dirty rate
 * @param bandwidth the rate the stream is expected to reach (link, cap and QEMU's own speed)
 * @param converges whether pre-copy alone is expected to converge ({@code dirtyRate < bandwidth})
 * @param duration expected total time (when it converges; else the time budget)
 * @param downtime expected pause of the guest as a user sees it
 * @param passes expected number of pre-copy passes
 * @param summary one sentence for operators
 */
public record Prediction(
    ByteSize memory,
    DataRate dirtyRate,
    DataRate bandwidth,
    boolean converges,
    Duration duration,
    Duration downtime,
    int passes,
    String summary) {}
