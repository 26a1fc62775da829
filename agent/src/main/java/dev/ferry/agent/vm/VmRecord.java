package dev.ferry.agent.vm;

import dev.ferry.qemu.VmSpec;
import java.util.Objects;
import java.util.Optional;

/**
 * What the agent persists per VM so that it survives an agent restart: the definition and what the
 * operator last asked for. The running state itself is never persisted; it is read back from QEMU.
 * Stored by {@link VmStore} (which versions and checksums the file).
 *
 * @param spec the VM definition
 * @param desired what the operator last asked for
 * @param lastError why the VM last failed, if it did
 * @param owner the host that owns the VM; only the owner may start or resume it
 * @param epoch ownership epoch, raised by one at each handover
 */
public record VmRecord(
    VmSpec spec, Desired desired, Optional<String> lastError, String owner, long epoch) {

  /** The operator's intent. */
  public enum Desired {
    RUNNING,
    PAUSED,
    STOPPED,
    /** Being received from another host; never started here until handed over. */
    INCOMING
  }

  public VmRecord {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(desired, "desired");
    Objects.requireNonNull(owner, "owner");
    lastError = lastError == null ? Optional.empty() : lastError;
  }

  /** A new VM defined on {@code host}, which owns it at epoch 1. */
  public static VmRecord defined(VmSpec spec, String host) {
    return new VmRecord(spec, Desired.STOPPED, Optional.empty(), host, 1);
  }

  /** A VM being received from {@code source}, which owns it at {@code epoch} until handover. */
  public static VmRecord incoming(VmSpec spec, String source, long epoch) {
    return new VmRecord(spec, Desired.INCOMING, Optional.empty(), source, epoch);
  }

  public VmRecord withDesired(Desired d) {
    return new VmRecord(spec, d, lastError, owner, epoch);
  }

  /** The same record, {@code STOPPED} unless the VM is being received (that intent stays). */
  public VmRecord stopped() {
    return desired == Desired.INCOMING ? this : withDesired(Desired.STOPPED);
  }

  public VmRecord withLastError(Optional<String> error) {
    return new VmRecord(spec, desired, error, owner, epoch);
  }

  /** The same VM with a changed definition (a disk moved to other storage). */
  public VmRecord withSpec(VmSpec newSpec) {
    return new VmRecord(newSpec, desired, lastError, owner, epoch);
  }

  public VmRecord withOwnership(String newOwner, long newEpoch) {
    return new VmRecord(spec, desired, lastError, newOwner, newEpoch);
  }
}
