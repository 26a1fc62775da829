package dev.ferry.agent.vm;

import dev.ferry.api.VmState;
import java.util.Objects;
import java.util.Optional;

/**
 * A VM's state on this host: its {@link VmPhase} and the {@link Hold} on it, if any. The
 * combinations that cannot happen are refused here, so none can be entered:
 *
 * <ul>
 *   <li>a stopping VM is held by nobody (a stop is refused while held; a handover or discard lets
 *       go before it stops QEMU);
 *   <li>an incoming QEMU is always held by its incoming migration, and only it is;
 *   <li>a starting VM is held by nobody, or by the incoming migration it is launched for.
 * </ul>
 *
 * A stopped or crashed VM may still be held: its QEMU died under a migration or disk move, whose
 * handle still has to let go.
 */
record VmStatus(VmPhase phase, Optional<Hold> hold) {
  static final VmStatus STOPPED = new VmStatus(new VmPhase.Stopped(), Optional.empty());

  VmStatus {
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(hold, "hold");
    boolean incomingHold = hold.filter(h -> h instanceof Hold.Incoming).isPresent();
    boolean valid =
        switch (phase) {
          case VmPhase.Stopping s -> hold.isEmpty();
          case VmPhase.Incoming i -> incomingHold;
          case VmPhase.Running r -> !incomingHold;
          case VmPhase.Paused p -> !incomingHold;
          case VmPhase.Starting s -> hold.isEmpty() || incomingHold;
          case VmPhase.Stopped s -> true;
          case VmPhase.Crashed c -> true;
        };
    if (!valid) {
      throw new IllegalStateException("a VM cannot be " + phase + " while held by " + hold);
    }
  }

  static VmStatus of(VmPhase phase) {
    return new VmStatus(phase, Optional.empty());
  }

  VmStatus with(VmPhase next) {
    return new VmStatus(next, hold);
  }

  VmStatus holding(Hold h) {
    return new VmStatus(phase, Optional.of(h));
  }

  VmStatus unheld() {
    return new VmStatus(phase, Optional.empty());
  }

  /** The state the API shows. */
  VmState apiState() {
    return switch (phase) {
      case VmPhase.Stopped s -> VmState.STOPPED;
      case VmPhase.Crashed c -> VmState.CRASHED;
      case VmPhase.Starting s ->
          hold.isPresent() ? VmState.INCOMING : VmState.STARTING; // launched for a migration
      case VmPhase.Running r -> VmState.RUNNING;
      case VmPhase.Paused p -> VmState.PAUSED;
      case VmPhase.Incoming i -> VmState.INCOMING;
      case VmPhase.Stopping s -> VmState.STOPPING;
    };
  }

  Optional<QemuProcess> process() {
    return phase.process();
  }
}
