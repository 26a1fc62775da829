package dev.ferry.qmp;

import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import java.util.Objects;
import java.util.Optional;

/**
 * One block job from {@code query-block-jobs}.
 *
 * @param device the job id (QEMU kept the old name)
 * @param len the work to do; grows while the guest writes
 * @param offset the work done; a mirror has converged when it reaches {@code len} and {@code ready}
 *     is set
 * @param busy whether the job is actively doing I/O right now
 * @param speed the rate limit; zero means unlimited
 * @param error the error message, once the job failed
 */
public record BlockJobInfo(
    JobType type,
    String device,
    ByteSize len,
    ByteSize offset,
    boolean busy,
    boolean paused,
    DataRate speed,
    IoStatus ioStatus,
    boolean ready,
    JobStatus status,
    boolean autoFinalize,
    boolean autoDismiss,
    Optional<String> error) {

  public BlockJobInfo {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(len, "len");
    Objects.requireNonNull(offset, "offset");
    Objects.requireNonNull(speed, "speed");
    Objects.requireNonNull(ioStatus, "ioStatus");
    Objects.requireNonNull(status, "status");
    error = error == null ? Optional.empty() : error;
  }

  /** Whether the job's last I/O failed (only tracked for some error policies). */
  public enum IoStatus {
    OK,
    FAILED,
    NOSPACE
  }
}
