package dev.ferry.agent.vm;

import dev.ferry.qemu.VmSpec;
import java.util.Optional;

/**
 * What the agent persists per VM so that it survives an agent restart: the definition and what the
 * operator last asked for. The running state itself is never persisted; it is read back from QEMU.
 *
 * @param formatVersion file format version; readers refuse versions they do not know
 * @param spec the VM definition
 * @param desired what the operator last asked for
 * @param lastError why the VM last failed, if it did
 * @param owner the host that owns the VM; only the owner may start or resume it
 * @param epoch ownership epoch, raised by one at each handover
 */
public record VmRecord(
    int formatVersion,
    VmSpec spec,
    Desired desired,
    Optional<String> lastError,
    String owner,
    long epoch) {
  public static final int FORMAT_VERSION = 1;

  /** The operator's intent. */
  public enum Desired {
    RUNNING,
    PAUSED,
    STOPPED,
    /** Being received from another host; never started here until handed over. */
    INCOMING
  }

  public VmRecord {
    lastError = lastError == null ? Optional.empty() : lastError;
  }

  public VmRecord withDesired(Desired d) {
    return new VmRecord(formatVersion, spec, d, lastError, owner, epoch);
  }

  public VmRecord withLastError(Optional<String> error) {
    return new VmRecord(formatVersion, spec, desired, error, owner, epoch);
  }

  /** The same VM with a changed definition (a disk moved to other storage). */
  public VmRecord withSpec(dev.ferry.qemu.VmSpec newSpec) {
    return new VmRecord(formatVersion, newSpec, desired, lastError, owner, epoch);
  }

  public VmRecord withOwnership(String newOwner, long newEpoch) {
    return new VmRecord(formatVersion, spec, desired, lastError, newOwner, newEpoch);
  }
}
