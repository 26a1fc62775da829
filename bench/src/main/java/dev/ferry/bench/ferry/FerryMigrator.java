package dev.ferry.bench.ferry;

import dev.ferry.api.AgentClient;
import dev.ferry.common.ByteSize;
import dev.ferry.lab.testbed.HostPlan;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How the benchmark asks Ferry to live-migrate a VM: the one seam between the benchmark and Ferry's
 * migration API. {@link FerryPeer} boots the guest through the source agent, probes it, and calls
 * this to move it to the destination host.
 */
@FunctionalInterface
public interface FerryMigrator {

  /**
   * Live-migrates {@code vm} from the host {@code source} is the agent of to {@code destination},
   * and returns once the guest runs there, the migration failed, or {@code giveUpAfter} passed
   * (then the migration must be cancelled, leaving the guest running on the source).
   *
   * @param source the source host's agent
   * @param vm the VM's name on the source
   * @param destination the destination host (name, address, agent endpoints)
   */
  Result migrate(AgentClient source, String vm, HostPlan destination, Duration giveUpAfter);

  /**
   * What Ferry reports about one migration.
   *
   * @param status how it ended
   * @param migration QEMU's {@code total-time} of the migration stream, if known
   * @param downtime QEMU's {@code downtime}, if known
   * @param transferred bytes sent, if known
   * @param detail why it failed, if it did
   */
  record Result(
      Status status,
      Optional<Duration> migration,
      Optional<Duration> downtime,
      Optional<ByteSize> transferred,
      Optional<String> detail) {
    public Result {
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(migration, "migration");
      Objects.requireNonNull(downtime, "downtime");
      Objects.requireNonNull(transferred, "transferred");
      Objects.requireNonNull(detail, "detail");
    }
  }

  /** How a migration ended. */
  enum Status {
    /** The guest runs on the destination. */
    COMPLETED,
    /** Cancelled after {@code giveUpAfter}; the guest runs on the source. */
    GAVE_UP,
    /** Failed; see {@link Result#detail()}. */
    FAILED
  }
}
