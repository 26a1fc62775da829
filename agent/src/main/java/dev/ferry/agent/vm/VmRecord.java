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
 */
public record VmRecord(
    int formatVersion, VmSpec spec, Desired desired, Optional<String> lastError) {
  public static final int FORMAT_VERSION = 1;

  /** The operator's intent. */
  public enum Desired {
    RUNNING,
    PAUSED,
    STOPPED
  }

  public VmRecord {
    lastError = lastError == null ? Optional.empty() : lastError;
  }

  public VmRecord withDesired(Desired d) {
    return new VmRecord(formatVersion, spec, d, lastError);
  }

  public VmRecord withLastError(Optional<String> error) {
    return new VmRecord(formatVersion, spec, desired, error);
  }
}
