package dev.ferry.api;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.ferry.common.ByteSize;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * A host as the manager knows it: where its agent is, whether it answers, whether it is in
 * maintenance, and its last facts and load.
 *
 * @param name the host's name (its agent's hostname)
 * @param url the agent's URL, as the manager reaches it
 * @param status whether the agent answers heartbeats
 * @param statusSince when {@code status} last changed
 * @param lastSeen when the agent last answered
 * @param maintenance whether the host takes VMs
 * @param facts the agent's last reported facts
 * @param load the last measured load
 */
public record ClusterHost(
    String name,
    String url,
    Status status,
    Instant statusSince,
    Optional<Instant> lastSeen,
    Maintenance maintenance,
    Optional<HostFacts> facts,
    Optional<Load> load) {

  /** Whether the host's agent answers. */
  public enum Status {
    UP,
    UNREACHABLE;

    @JsonValue
    public String text() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Maintenance mode: {@code ENTERING} while VMs are being evacuated. */
  public enum Maintenance {
    NONE,
    ENTERING,
    IN_MAINTENANCE;

    @JsonValue
    public String text() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /**
   * @param cpuUsed cores' worth of CPU the VMs used over the last heartbeat interval
   * @param cores logical cores
   * @param memoryCommitted memory given to running VMs
   * @param memoryTotal physical memory
   * @param vms VMs defined on the host
   * @param running VMs with a QEMU process
   */
  public record Load(
      double cpuUsed,
      int cores,
      ByteSize memoryCommitted,
      ByteSize memoryTotal,
      int vms,
      int running) {}

  /** Whether new VMs and incoming migrations may land here. */
  public boolean schedulable() {
    return status == Status.UP && maintenance == Maintenance.NONE;
  }
}
