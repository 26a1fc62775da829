package dev.ferry.lab.testbed;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * What {@code ferry-probe} measured: one UDP datagram per interval to the guest's echo service.
 * {@link #maxGapMs} is the outage a user sees: the longest time between two consecutive replies.
 *
 * @param sent datagrams sent in the measurement window
 * @param received replies received
 * @param lost sent minus received
 * @param maxGapMs longest gap between consecutive replies
 * @param tailGapMs time from the last reply to the end (a guest that never came back)
 * @param rttP50Ms median round trip
 * @param rttP99Ms 99th percentile round trip
 * @param gaps every gap above the threshold, with its start offset
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ProbeResult(
    String target,
    String stoppedBy,
    double measuredMs,
    long sent,
    long received,
    long lost,
    double maxGapMs,
    double tailGapMs,
    Double rttP50Ms,
    Double rttP99Ms,
    Double firstReplyAtMs,
    Double lastReplyAtMs,
    double gapThresholdMs,
    List<Gap> gaps) {

  /** One interruption of the replies. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Gap(double startMs, double ms) {}

  /** The outage a user sees: the longest gap, or the tail if replies never came back. */
  public double outageMs() {
    return Math.max(maxGapMs, tailGapMs);
  }
}
