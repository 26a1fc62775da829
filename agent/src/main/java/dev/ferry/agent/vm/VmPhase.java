package dev.ferry.agent.vm;

import java.util.Objects;
import java.util.Optional;

/**
 * Whether a VM has a QEMU process on this host, and in what condition. One half of {@link
 * VmStatus}; the other half says who holds the VM. Transitions are decided by {@link VmLifecycle}
 * only.
 */
sealed interface VmPhase {
  /** Defined, no QEMU. */
  record Stopped() implements VmPhase {}

  /** No QEMU, because it went away without being asked to, or could not be found again. */
  record Crashed(String why) implements VmPhase {
    public Crashed {
      Objects.requireNonNull(why, "why");
    }
  }

  /**
   * A QEMU is being launched (taps, process, monitor) and, for a fresh start, its guest resumed.
   * Only ever seen while the VM's lock is held by the start.
   */
  record Starting() implements VmPhase {}

  /** vCPUs running. */
  record Running(QemuProcess qemu) implements VmPhase {
    public Running {
      Objects.requireNonNull(qemu, "qemu");
    }
  }

  /** vCPUs stopped; QEMU alive. */
  record Paused(QemuProcess qemu) implements VmPhase {
    public Paused {
      Objects.requireNonNull(qemu, "qemu");
    }
  }

  /** QEMU waits for (or receives) an incoming migration; the guest never ran on this host. */
  record Incoming(QemuProcess qemu) implements VmPhase {
    public Incoming {
      Objects.requireNonNull(qemu, "qemu");
    }
  }

  /** QEMU is being stopped (powerdown, quit, kill). Only seen while the stop holds the lock. */
  record Stopping(QemuProcess qemu) implements VmPhase {
    public Stopping {
      Objects.requireNonNull(qemu, "qemu");
    }
  }

  /** The QEMU of this phase, if it has one. */
  default Optional<QemuProcess> process() {
    return switch (this) {
      case Running r -> Optional.of(r.qemu());
      case Paused p -> Optional.of(p.qemu());
      case Incoming i -> Optional.of(i.qemu());
      case Stopping s -> Optional.of(s.qemu());
      case Stopped s -> Optional.empty();
      case Crashed c -> Optional.empty();
      case Starting s -> Optional.empty();
    };
  }

  /** Whether {@code qemu} is this phase's process (events about older processes are stale). */
  default boolean runs(QemuProcess qemu) {
    return process().filter(q -> q == qemu).isPresent();
  }
}
