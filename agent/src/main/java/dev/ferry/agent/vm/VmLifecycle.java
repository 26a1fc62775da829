package dev.ferry.agent.vm;

import dev.ferry.agent.vm.Verdict.Enter;
import dev.ferry.agent.vm.Verdict.Refusal;
import dev.ferry.agent.vm.Verdict.Unchanged;
import dev.ferry.agent.vm.VmOp.Adopted;
import dev.ferry.agent.vm.VmOp.BeginDiskMove;
import dev.ferry.agent.vm.VmOp.BeginOutgoing;
import dev.ferry.agent.vm.VmOp.Died;
import dev.ferry.agent.vm.VmOp.Discard;
import dev.ferry.agent.vm.VmOp.Ended;
import dev.ferry.agent.vm.VmOp.LaunchFailed;
import dev.ferry.agent.vm.VmOp.Launched;
import dev.ferry.agent.vm.VmOp.LetGo;
import dev.ferry.agent.vm.VmOp.NotAdopted;
import dev.ferry.agent.vm.VmOp.Pause;
import dev.ferry.agent.vm.VmOp.Receive;
import dev.ferry.agent.vm.VmOp.RecoverIncoming;
import dev.ferry.agent.vm.VmOp.RecoverOutgoing;
import dev.ferry.agent.vm.VmOp.Release;
import dev.ferry.agent.vm.VmOp.Resume;
import dev.ferry.agent.vm.VmOp.RollBack;
import dev.ferry.agent.vm.VmOp.Start;
import dev.ferry.agent.vm.VmOp.Stop;
import dev.ferry.agent.vm.VmOp.TakeOver;
import dev.ferry.agent.vm.VmOp.Vcpus;
import dev.ferry.agent.vm.VmPhase.Crashed;
import dev.ferry.agent.vm.VmPhase.Paused;
import dev.ferry.agent.vm.VmPhase.Running;
import dev.ferry.agent.vm.VmPhase.Starting;
import dev.ferry.agent.vm.VmPhase.Stopped;
import dev.ferry.agent.vm.VmPhase.Stopping;
import java.util.Objects;
import java.util.Optional;

/**
 * The VM lifecycle as a pure function: given a VM's {@link VmStatus}, its record (for its name and
 * owner) and a {@link VmOp}, says what the VM becomes, or why the operation is refused. It does no
 * I/O; {@link ManagedVm} asks it under the VM's lock, then applies the decision (launches, stops,
 * persists, publishes). See the package doc for the diagram.
 *
 * <p>Operations that need I/O are decided in two steps: the request enters an intermediate phase
 * ({@code Start} → starting), and the outcome, reported as its own operation ({@code Launched},
 * {@code LaunchFailed}, {@code Ended}), leaves it.
 */
final class VmLifecycle {
  private static final Unchanged UNCHANGED = new Unchanged();

  private final String hostName;

  /** The lifecycle of VMs on host {@code hostName} (the owner name that may run them). */
  VmLifecycle(String hostName) {
    this.hostName = Objects.requireNonNull(hostName, "hostName");
  }

  Verdict next(VmStatus status, VmRecord record, VmOp op) {
    Facts f = new Facts(status, record);
    return switch (op) {
      case Start o -> start(f);
      case Stop o -> stop(f);
      case Pause o -> pause(f);
      case Resume o -> resume(f);
      case BeginOutgoing o -> beginOutgoing(f, o.id());
      case RecoverOutgoing o -> recoverOutgoing(f, o);
      case BeginDiskMove o -> beginDiskMove(f, o.id());
      case Receive o -> receive(f, o.id());
      case RecoverIncoming o -> recoverIncoming(f, o.id());
      case Release o -> release(f, o.id());
      case RollBack o -> rollBack(f, o.id());
      case LetGo o -> letGo(f, o.id());
      case TakeOver o -> takeOver(f, o.id());
      case Discard o -> discard(f, o.id());
      case Launched o -> launched(f, o.qemu());
      case LaunchFailed o -> launchFailed(f);
      case Adopted o -> adopted(f, o);
      case NotAdopted o -> notAdopted(f, o);
      case Vcpus o -> vcpus(f, o);
      case Ended o -> ended(f, o.qemu());
      case Died o -> died(f, o);
    };
  }

  /** What every rule looks at. */
  private record Facts(VmStatus status, VmRecord record) {
    VmPhase phase() {
      return status.phase();
    }

    Optional<Hold> hold() {
      return status.hold();
    }

    String name() {
      return record.spec().name();
    }

    String state() {
      return status.apiState().text();
    }
  }

  // ------------------------------------------------------------------ operators

  private Verdict start(Facts f) {
    if (f.hold().isPresent()) {
      return busy(f, "start");
    }
    if (!(f.phase() instanceof Stopped || f.phase() instanceof Crashed)) {
      return refuse("VM '" + f.name() + "' is already " + f.state());
    }
    if (!ownedHere(f)) {
      return notOwner(f, "start");
    }
    return enter(VmStatus.of(new Starting()));
  }

  private Verdict stop(Facts f) {
    if (f.hold().isPresent()) {
      return busy(f, "stop");
    }
    return switch (f.phase()) {
      case Stopped s -> UNCHANGED;
      case Crashed c -> UNCHANGED;
      case Stopping s -> UNCHANGED;
      case Running r -> enter(VmStatus.of(new Stopping(r.qemu())));
      case Paused p -> enter(VmStatus.of(new Stopping(p.qemu())));
      case Starting s -> cannot(f, "stop");
      case VmPhase.Incoming i -> cannot(f, "stop"); // always held; kept for exhaustiveness
    };
  }

  private Verdict pause(Facts f) {
    if (f.hold().isPresent()) {
      return busy(f, "pause");
    }
    return switch (f.phase()) {
      case Running r -> enter(VmStatus.of(new Paused(r.qemu())));
      case Paused p -> UNCHANGED;
      default -> cannot(f, "pause");
    };
  }

  private Verdict resume(Facts f) {
    if (f.hold().isPresent()) {
      return busy(f, "resume");
    }
    return switch (f.phase()) {
      case Running r -> UNCHANGED;
      case Paused p ->
          ownedHere(f) ? enter(VmStatus.of(new Running(p.qemu()))) : notOwner(f, "resume");
      default -> cannot(f, "resume");
    };
  }

  // ------------------------------------------------------------------ holders

  private Verdict beginOutgoing(Facts f, String id) {
    if (f.hold().isPresent()) {
      return refuse("VM '" + f.name() + "' is already migrating (" + f.hold().get().id() + ")");
    }
    if (!(f.phase() instanceof Running || f.phase() instanceof Paused)) {
      return refuse(
          "VM '" + f.name() + "' is " + f.state() + "; only a running VM can be live-migrated");
    }
    if (!ownedHere(f)) {
      return notOwner(f, "migrate");
    }
    return enter(f.status().holding(new Hold.Outgoing(id, f.phase() instanceof Running)));
  }

  private Verdict recoverOutgoing(Facts f, RecoverOutgoing o) {
    if (f.phase().process().isEmpty()) {
      return refuse("VM '" + f.name() + "' has no QEMU to recover");
    }
    if (f.hold().isPresent() && !f.hold().get().equals(new Hold.Outgoing(o.id(), o.wasRunning()))) {
      return refuse("VM '" + f.name() + "' is already migrating (" + f.hold().get().id() + ")");
    }
    if (!(f.phase() instanceof Running || f.phase() instanceof Paused)) {
      return refuse("VM '" + f.name() + "' is " + f.state() + "; no outgoing migration to recover");
    }
    return enter(f.status().holding(new Hold.Outgoing(o.id(), o.wasRunning())));
  }

  private Verdict beginDiskMove(Facts f, String id) {
    if (f.hold().isPresent()) {
      return refuse(
          "VM '"
              + f.name()
              + "' is busy ("
              + f.hold().get().id()
              + "); a disk moves one at a time");
    }
    if (!(f.phase() instanceof Running || f.phase() instanceof Paused)) {
      return refuse(
          "VM '"
              + f.name()
              + "' is "
              + f.state()
              + "; a disk moves live only while the VM runs (copy a stopped VM's image and"
              + " recreate the VM instead)");
    }
    if (!ownedHere(f)) {
      return notOwner(f, "move a disk of");
    }
    return enter(f.status().holding(new Hold.DiskMove(id)));
  }

  private Verdict receive(Facts f, String id) {
    if (!f.status().equals(VmStatus.STOPPED)) {
      return refuse(
          "VM '" + f.name() + "' is " + f.state() + "; only a new VM receives a migration");
    }
    return enter(new VmStatus(new Starting(), Optional.of(new Hold.Incoming(id))));
  }

  private Verdict recoverIncoming(Facts f, String id) {
    if (!(f.phase() instanceof VmPhase.Incoming)) {
      return refuse("VM '" + f.name() + "' has no incoming QEMU to recover");
    }
    return enter(f.status().holding(new Hold.Incoming(id)));
  }

  private Verdict release(Facts f, String id) {
    if (!heldAs(f, id, Hold.Outgoing.class)) {
      return UNCHANGED;
    }
    return switch (f.phase()) {
      case Running r -> enter(VmStatus.of(new Stopping(r.qemu())));
      case Paused p -> enter(VmStatus.of(new Stopping(p.qemu())));
      default -> enter(f.status().unheld());
    };
  }

  private Verdict rollBack(Facts f, String id) {
    if (!heldAs(f, id, Hold.Outgoing.class)) {
      return UNCHANGED;
    }
    boolean wasRunning = ((Hold.Outgoing) f.hold().orElseThrow()).wasRunning();
    Optional<QemuProcess> qemu = f.phase().process();
    if (wasRunning && ownedHere(f) && qemu.isPresent()) {
      // Resumed even when the phase already says running: QEMU pauses at switchover, and a STOP
      // event that arrived while the lock was taken was not tracked.
      return enter(VmStatus.of(new Running(qemu.get())));
    }
    return enter(f.status().unheld());
  }

  private Verdict letGo(Facts f, String id) {
    if (f.hold().filter(h -> h.id().equals(id)).isEmpty()) {
      return UNCHANGED;
    }
    if (f.hold().get() instanceof Hold.Incoming) {
      return refuse(
          "VM '" + f.name() + "' is being received; it is taken over or discarded, not let go");
    }
    return enter(f.status().unheld());
  }

  private Verdict takeOver(Facts f, String id) {
    if (!(f.phase() instanceof VmPhase.Incoming i) || !heldAs(f, id, Hold.Incoming.class)) {
      return refuse("VM '" + f.name() + "': the incoming QEMU is gone; cannot take over");
    }
    return enter(VmStatus.of(new Running(i.qemu())));
  }

  private Verdict discard(Facts f, String id) {
    if (ownedHere(f)) {
      return refuse(
          "VM '" + f.name() + "' is owned by this host; an incoming VM only is discarded");
    }
    if (!heldAs(f, id, Hold.Incoming.class)) {
      return UNCHANGED;
    }
    return switch (f.phase()) {
      case VmPhase.Incoming i -> enter(VmStatus.of(new Stopping(i.qemu())));
      case Stopped s -> enter(f.status().unheld());
      case Crashed c -> enter(f.status().unheld());
      default -> cannot(f, "discard");
    };
  }

  // ------------------------------------------------------------------ what QEMU did

  private Verdict launched(Facts f, QemuProcess qemu) {
    if (!(f.phase() instanceof Starting)) {
      return refuse("VM '" + f.name() + "' is " + f.state() + "; it was not being started");
    }
    return enter(
        f.hold().isPresent()
            ? f.status().with(new VmPhase.Incoming(qemu))
            : VmStatus.of(new Running(qemu)));
  }

  private Verdict launchFailed(Facts f) {
    if (!(f.phase() instanceof Starting)) {
      return refuse("VM '" + f.name() + "' is " + f.state() + "; it was not being started");
    }
    return enter(VmStatus.STOPPED);
  }

  private Verdict adopted(Facts f, Adopted o) {
    if (!f.status().equals(VmStatus.STOPPED)) {
      return refuse("VM '" + f.name() + "' is " + f.state() + "; there is nothing to adopt");
    }
    return enter(
        switch (o.as()) {
          case RUNNING -> VmStatus.of(new Running(o.qemu()));
          case PAUSED -> VmStatus.of(new Paused(o.qemu()));
          case INCOMING ->
              new VmStatus(
                  new VmPhase.Incoming(o.qemu()), Optional.of(new Hold.Incoming(ADOPTED_INCOMING)));
        });
  }

  /** The hold id of an incoming VM found after a restart, until its migration is recovered. */
  static final String ADOPTED_INCOMING = "interrupted by an agent restart";

  private Verdict notAdopted(Facts f, NotAdopted o) {
    if (!f.status().equals(VmStatus.STOPPED)) {
      return refuse("VM '" + f.name() + "' is " + f.state() + "; there is nothing to adopt");
    }
    return o.expected() ? enter(VmStatus.of(new Crashed(o.why()))) : UNCHANGED;
  }

  private Verdict vcpus(Facts f, Vcpus o) {
    return switch (f.phase()) {
      case Running r when r.qemu() == o.qemu() && !o.running() ->
          enter(f.status().with(new Paused(r.qemu())));
      case Paused p when p.qemu() == o.qemu() && o.running() ->
          enter(f.status().with(new Running(p.qemu())));
      default -> UNCHANGED;
    };
  }

  private Verdict ended(Facts f, QemuProcess qemu) {
    if (!f.phase().runs(qemu)) {
      return UNCHANGED;
    }
    return enter(f.status().with(new Stopped()));
  }

  private Verdict died(Facts f, Died o) {
    if (!f.phase().runs(o.qemu())) {
      return UNCHANGED;
    }
    if (f.phase() instanceof Stopping) {
      return enter(VmStatus.STOPPED); // it was on its way out anyway
    }
    return enter(f.status().with(new Crashed(o.why())));
  }

  // ------------------------------------------------------------------ helpers

  private boolean ownedHere(Facts f) {
    return f.record().owner().equals(hostName);
  }

  private static boolean heldAs(Facts f, String id, Class<? extends Hold> kind) {
    return f.hold().filter(h -> kind.isInstance(h) && h.id().equals(id)).isPresent();
  }

  private static Enter enter(VmStatus next) {
    return new Enter(next);
  }

  private static Refusal refuse(String reason) {
    return new Refusal(reason);
  }

  private static Refusal cannot(Facts f, String action) {
    return refuse("cannot " + action + " VM '" + f.name() + "': it is " + f.state());
  }

  private static Refusal busy(Facts f, String action) {
    Hold hold = f.hold().orElseThrow();
    String what =
        hold instanceof Hold.DiskMove
            ? "one of its disks is moving (" + hold.id() + "); wait for the move to end"
            : "it is migrating (" + hold.id() + "); abort the migration first";
    return refuse("cannot " + action + " VM '" + f.name() + "': " + what);
  }

  private Refusal notOwner(Facts f, String action) {
    return refuse(
        "cannot "
            + action
            + " VM '"
            + f.name()
            + "': it is owned by "
            + f.record().owner()
            + " (epoch "
            + f.record().epoch()
            + "), not by this host ("
            + hostName
            + ")");
  }
}
