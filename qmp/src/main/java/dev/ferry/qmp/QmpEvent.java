package dev.ferry.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An asynchronous QMP event. Each record is one event QEMU emits, with QEMU's own timestamp (host
 * wall clock, microsecond precision). Events this client does not model, and modelled events whose
 * data does not decode, arrive as {@link Unknown} so nothing is lost.
 */
public sealed interface QmpEvent {

  /** QEMU's event name, e.g. {@code BLOCK_JOB_READY}. */
  String eventName();

  /** When QEMU emitted the event. */
  Instant timestamp();

  /** The guest's vCPUs were paused (stop, migration switchover, I/O error...). */
  record Stop(Instant timestamp) implements QmpEvent {
    static final String NAME = "STOP";

    public Stop {
      Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public String eventName() {
      return NAME;
    }
  }

  /** The guest's vCPUs run again. */
  record Resume(Instant timestamp) implements QmpEvent {
    static final String NAME = "RESUME";

    public Resume {
      Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public String eventName() {
      return NAME;
    }
  }

  /**
   * The guest shut down, or QEMU is about to exit.
   *
   * @param guest whether the guest itself asked for it
   */
  record Shutdown(Instant timestamp, boolean guest, ShutdownCause reason) implements QmpEvent {
    static final String NAME = "SHUTDOWN";

    public Shutdown {
      Objects.requireNonNull(timestamp, "timestamp");
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String eventName() {
      return NAME;
    }
  }

  /** The ACPI power button was pressed ({@code system_powerdown}). */
  record Powerdown(Instant timestamp) implements QmpEvent {
    static final String NAME = "POWERDOWN";

    public Powerdown {
      Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public String eventName() {
      return NAME;
    }
  }

  /** The guest was reset. */
  record Reset(Instant timestamp, boolean guest, ShutdownCause reason) implements QmpEvent {
    static final String NAME = "RESET";

    public Reset {
      Objects.requireNonNull(timestamp, "timestamp");
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String eventName() {
      return NAME;
    }
  }

  /** The migration changed state (needs the {@code events} capability). */
  record Migration(Instant timestamp, MigrationStatus status) implements QmpEvent {
    static final String NAME = "MIGRATION";

    public Migration {
      Objects.requireNonNull(timestamp, "timestamp");
      Objects.requireNonNull(status, "status");
    }

    @Override
    public String eventName() {
      return NAME;
    }
  }

  /** A pre-copy pass over RAM began (needs the {@code events} capability). */
  record MigrationPass(Instant timestamp, long pass) implements QmpEvent {
    static final String NAME = "MIGRATION_PASS";

    public MigrationPass {
      Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public String eventName() {
      return NAME;
    }
  }

  /**
   * A mirror reached sync: {@code block-job-complete} may now switch over.
   *
   * @param device the job id
   */
  record BlockJobReady(
      Instant timestamp, JobType type, String device, ByteSize len, ByteSize offset, DataRate speed)
      implements QmpEvent {
    static final String NAME = "BLOCK_JOB_READY";

    public BlockJobReady {
      Objects.requireNonNull(timestamp, "timestamp");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(device, "device");
      Objects.requireNonNull(len, "len");
      Objects.requireNonNull(offset, "offset");
      Objects.requireNonNull(speed, "speed");
    }

    @Override
    public String eventName() {
      return NAME;
    }
  }

  /**
   * A block job ended; it failed when {@code error} is present.
   *
   * @param device the job id
   */
  record BlockJobCompleted(
      Instant timestamp,
      JobType type,
      String device,
      ByteSize len,
      ByteSize offset,
      DataRate speed,
      Optional<String> error)
      implements QmpEvent {
    static final String NAME = "BLOCK_JOB_COMPLETED";

    public BlockJobCompleted {
      Objects.requireNonNull(timestamp, "timestamp");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(device, "device");
      Objects.requireNonNull(len, "len");
      Objects.requireNonNull(offset, "offset");
      Objects.requireNonNull(speed, "speed");
      error = error == null ? Optional.empty() : error;
    }

    @Override
    public String eventName() {
      return NAME;
    }
  }

  /**
   * A block job hit an I/O error and applied {@code action}.
   *
   * @param device the job id
   */
  record BlockJobError(Instant timestamp, String device, IoOperation operation, ErrorAction action)
      implements QmpEvent {
    static final String NAME = "BLOCK_JOB_ERROR";

    public BlockJobError {
      Objects.requireNonNull(timestamp, "timestamp");
      Objects.requireNonNull(device, "device");
      Objects.requireNonNull(operation, "operation");
      Objects.requireNonNull(action, "action");
    }

    @Override
    public String eventName() {
      return NAME;
    }

    public enum IoOperation {
      READ,
      WRITE
    }

    public enum ErrorAction {
      IGNORE,
      REPORT,
      STOP
    }
  }

  /**
   * A block job was cancelled before it finished.
   *
   * @param device the job id
   */
  record BlockJobCancelled(
      Instant timestamp, JobType type, String device, ByteSize len, ByteSize offset, DataRate speed)
      implements QmpEvent {
    static final String NAME = "BLOCK_JOB_CANCELLED";

    public BlockJobCancelled {
      Objects.requireNonNull(timestamp, "timestamp");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(device, "device");
      Objects.requireNonNull(len, "len");
      Objects.requireNonNull(offset, "offset");
      Objects.requireNonNull(speed, "speed");
    }

    @Override
    public String eventName() {
      return NAME;
    }
  }

  /** A block job waits in {@code pending} for {@code job-finalize}. */
  record BlockJobPending(Instant timestamp, JobType type, String id) implements QmpEvent {
    static final String NAME = "BLOCK_JOB_PENDING";

    public BlockJobPending {
      Objects.requireNonNull(timestamp, "timestamp");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(id, "id");
    }

    @Override
    public String eventName() {
      return NAME;
    }
  }

  /** A job moved to {@code status}. */
  record JobStatusChange(Instant timestamp, String id, JobStatus status) implements QmpEvent {
    static final String NAME = "JOB_STATUS_CHANGE";

    public JobStatusChange {
      Objects.requireNonNull(timestamp, "timestamp");
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(status, "status");
    }

    @Override
    public String eventName() {
      return NAME;
    }
  }

  /**
   * A device was unplugged.
   *
   * @param device its id, when it had one
   * @param path its QOM path
   */
  record DeviceDeleted(Instant timestamp, Optional<String> device, String path)
      implements QmpEvent {
    static final String NAME = "DEVICE_DELETED";

    public DeviceDeleted {
      Objects.requireNonNull(timestamp, "timestamp");
      device = device == null ? Optional.empty() : device;
      Objects.requireNonNull(path, "path");
    }

    @Override
    public String eventName() {
      return NAME;
    }
  }

  /**
   * Any other event, with its raw data (an empty object when QEMU sent none).
   *
   * @param data the event's {@code data} member, a private copy
   */
  record Unknown(String eventName, Instant timestamp, JsonNode data) implements QmpEvent {
    public Unknown {
      Objects.requireNonNull(eventName, "eventName");
      Objects.requireNonNull(timestamp, "timestamp");
      data = Objects.requireNonNull(data, "data").deepCopy();
    }

    @Override
    public JsonNode data() {
      return data.deepCopy();
    }
  }
}
