package dev.ferry.qmp;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.ferry.common.DataRate;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Reply to {@code query-dirty-rate}: the guest's memory dirty rate measured by the last {@code
 * calc-dirty-rate}.
 *
 * @param dirtyRate the measured rate, once {@link Status#MEASURED}
 * @param startTime when the measurement started, on QEMU's realtime clock
 * @param calcTime how long the measurement ran
 * @param samplePages pages sampled per GiB in {@link Mode#PAGE_SAMPLING} mode
 */
public record DirtyRateInfo(
    @JsonDeserialize(contentUsing = QmpUnits.MebibytesPerSecond.class) Optional<DataRate> dirtyRate,
    Status status,
    @JsonDeserialize(using = QmpUnits.Seconds.Deserializer.class) Duration startTime,
    @JsonDeserialize(using = QmpUnits.Seconds.Deserializer.class) Duration calcTime,
    long samplePages,
    Mode mode) {

  public DirtyRateInfo {
    dirtyRate = dirtyRate == null ? Optional.empty() : dirtyRate;
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(startTime, "startTime");
    Objects.requireNonNull(calcTime, "calcTime");
    Objects.requireNonNull(mode, "mode");
  }

  public enum Status {
    UNSTARTED,
    MEASURING,
    MEASURED
  }

  /** How QEMU measures: by sampling page hashes, or from KVM's dirty ring or bitmap. */
  public enum Mode {
    PAGE_SAMPLING,
    DIRTY_RING,
    DIRTY_BITMAP
  }
}
