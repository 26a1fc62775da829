package dev.ferry.agent.vm;

import dev.ferry.agent.AgentException;
import dev.ferry.agent.vm.QemuHost.TapRelease;
import dev.ferry.agent.vm.Verdict.Decision;
import dev.ferry.agent.vm.Verdict.Enter;
import dev.ferry.agent.vm.Verdict.Refusal;
import dev.ferry.api.AgentEvent;
import dev.ferry.api.VmInfo;
import dev.ferry.api.VmState;
import dev.ferry.qemu.LaunchMode;
import dev.ferry.qemu.RuntimePaths;
import dev.ferry.qemu.VmSpec;
import dev.ferry.qmp.QmpCommand;
import dev.ferry.qmp.QmpException;
import dev.ferry.qmp.VmCommand.Cont;
import dev.ferry.qmp.VmCommand.Stop;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One VM on this host: the holder of its lock, its {@link VmStatus} and its record. Every operation
 * takes the lock, asks {@link VmLifecycle} whether and where it may go, then applies that
 * (persisting the record before the effect it describes) and enters the decided state; operations
 * therefore never interleave, and they block the calling (virtual) thread while QEMU answers. The
 * capability handles ({@link OutgoingSide}, {@link IncomingSide}, {@link DiskMoveSide}) apply their
 * operations through the same lock. QEMU's events and its exit arrive from {@link QemuProcess}'s
 * watcher and go the same way.
 *
 * <p>Invariants: the guest is only ever started or resumed here while this host is the VM's owner;
 * while a hold is on, the operator's lifecycle operations are refused; a record that cannot be
 * written fails the operation before anything else changed.
 */
final class ManagedVm {
  private static final Logger log = LoggerFactory.getLogger(ManagedVm.class);

  private final VmContext ctx;
  private final QemuHost host;
  private final VmLifecycle lifecycle;
  private final ReentrantLock lock = new ReentrantLock();
  private final QemuProcess.Watcher watcher = new VmWatch(this);
  private volatile VmRecord record;
  private volatile VmStatus status = VmStatus.STOPPED;
  private volatile Instant since;

  ManagedVm(VmContext ctx, QemuHost host, VmRecord record) {
    this.ctx = ctx;
    this.host = host;
    this.lifecycle = new VmLifecycle(ctx.hostName());
    this.record = record;
    this.since = ctx.clock().instant();
  }

  String name() {
    return record.spec().name();
  }

  VmSpec spec() {
    return record.spec();
  }

  VmRecord record() {
    return record;
  }

  VmStatus status() {
    return status;
  }

  VmState state() {
    return status.apiState();
  }

  String hostName() {
    return ctx.hostName();
  }

  QemuHost host() {
    return host;
  }

  QemuProcess.Watcher watcher() {
    return watcher;
  }

  /** Publishes an event about this VM. */
  void publish(AgentEvent.Type type, Optional<VmState> state, String message) {
    ctx.events().publish(type, Optional.of(name()), state, message);
  }

  RuntimePaths paths() {
    return ctx.store().runtimePaths(name());
  }

  VmInfo info() {
    return locked(
        () -> {
          Optional<QemuProcess> q = status.process();
          return new VmInfo(
              record.spec(),
              status.apiState(),
              q.map(p -> OptionalLong.of(p.pid())).orElse(OptionalLong.empty()),
              q.map(QemuProcess::accelerator),
              since,
              record.lastError(),
              record.owner(),
              record.epoch(),
              status.hold().map(Hold::id));
        });
  }

  // ------------------------------------------------------------------ operators

  /** Starts QEMU paused, then resumes the guest. Valid from STOPPED or CRASHED, for the owner. */
  VmInfo start() {
    return locked(
        () -> {
          if (decide(new VmOp.Start()) instanceof Enter starting) {
            ctx.manager().checkMayRun(name(), record.epoch(), "start");
            persist(
                record.withDesired(VmRecord.Desired.RUNNING).withLastError(Optional.empty()),
                "start");
            enter(starting, "starting");
            QemuProcess q = Launch.qemu(this, LaunchMode.FRESH);
            try {
              q.qmp().call(new Cont());
            } catch (QmpException e) {
              throw Launch.failed(this, Optional.of(q), e);
            }
            enter(
                decide(new VmOp.Launched(q)),
                "started (pid " + q.pid() + ", " + q.accelerator().qemuName() + ")");
          }
          return info();
        });
  }

  /**
   * Stops the VM: without {@code force}, asks the guest to power off (ACPI) and waits up to {@code
   * grace}; then asks QEMU to quit; then kills it. Idempotent on a stopped VM.
   */
  VmInfo stop(boolean force, Duration grace) {
    return locked(
        () -> {
          if (decide(new VmOp.Stop()) instanceof Enter stopping) {
            QemuProcess q = stopping.next().process().orElseThrow();
            persist(record.stopped(), "stop");
            enter(stopping, force ? "forced stop" : "graceful stop");
            q.stop(force, grace, ctx.forcedStopTimeout());
            q.cleanUp(TapRelease.NOW);
            enter(decide(new VmOp.Ended(q)), "stopped");
          }
          return info();
        });
  }

  VmInfo pause() {
    return locked(
        () -> {
          if (decide(new VmOp.Pause()) instanceof Enter paused) {
            QemuProcess q = paused.next().process().orElseThrow();
            call(q, new Stop(), record.withDesired(VmRecord.Desired.PAUSED), "pause");
            enter(paused, "paused");
          }
          return info();
        });
  }

  VmInfo resume() {
    return locked(
        () -> {
          if (decide(new VmOp.Resume()) instanceof Enter running) {
            ctx.manager().checkMayRun(name(), record.epoch(), "resume");
            QemuProcess q = running.next().process().orElseThrow();
            call(q, new Cont(), record.withDesired(VmRecord.Desired.RUNNING), "resume");
            enter(running, "resumed");
          }
          return info();
        });
  }

  /** The last {@code bytes} of the serial console ({@code <= 0}: all). */
  String console(long bytes) {
    return ConsoleLog.tail(paths().consoleLog(), bytes, name());
  }

  /** Closes the monitor connection and leaves QEMU running (agent shutdown). */
  void detach() {
    lockedRun(() -> status.process().ifPresent(QemuProcess::detach));
  }

  /** Finds this VM's QEMU after an agent restart; see {@link Adoption}. */
  void adopt() {
    Adoption.adopt(this);
  }

  // ------------------------------------------------------------------ the kit the sides apply with

  <T> T locked(Supplier<T> action) {
    lock.lock();
    try {
      return action.get();
    } finally {
      lock.unlock();
    }
  }

  void lockedRun(Runnable action) {
    locked(
        () -> {
          action.run();
          return null;
        });
  }

  /** Runs {@code action} under the lock if it is free now; false when it was taken. */
  boolean tryLocked(Runnable action) {
    if (!lock.tryLock()) {
      return false;
    }
    try {
      action.run();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Asks the lifecycle; a refusal becomes a 409 with its reason. Caller holds the lock. */
  Decision decide(VmOp op) {
    return switch (lifecycle.next(status, record, op)) {
      case Refusal r -> throw new AgentException.Conflict(r.reason());
      case Decision d -> d;
    };
  }

  /** What the lifecycle says, refusals included. Caller holds the lock. */
  Verdict verdict(VmOp op) {
    return lifecycle.next(status, record, op);
  }

  /** {@link #decide} for operations that always change something when not refused. */
  Enter mustEnter(VmOp op) {
    if (decide(op) instanceof Enter e) {
      return e;
    }
    throw new IllegalStateException(op + " changed nothing for VM '" + name() + "'");
  }

  /** Enters a decided state and publishes it (when it shows). Caller holds the lock. */
  void enter(Decision decision, String why) {
    if (!(decision instanceof Enter e) || e.next().equals(status)) {
      return;
    }
    VmStatus from = status;
    become(e.next(), why);
    boolean holdChanged = !from.hold().equals(e.next().hold());
    if (holdChanged && from.apiState() == e.next().apiState()) {
      log.info("VM {}: {} ({})", name(), state().text(), why);
    }
    if (holdChanged || from.apiState() != e.next().apiState()) {
      publish(AgentEvent.Type.VM_STATE_CHANGED, Optional.of(state()), why);
    }
  }

  /** Enters {@code next} without publishing it (the caller publishes what it is). */
  void become(VmStatus next, String why) {
    VmState from = status.apiState();
    status = next;
    if (from != next.apiState()) {
      since = ctx.clock().instant();
      log.info("VM {}: {} -> {} ({})", name(), from.text(), next.apiState().text(), why);
    }
  }

  /**
   * Writes the record, then keeps it. Caller holds the lock.
   *
   * @throws AgentException.Failed "cannot {action} VM ...", when it cannot be written: nothing else
   *     changed
   */
  void persist(VmRecord next, String action) {
    try {
      ctx.store().save(next);
    } catch (RuntimeException e) {
      throw new AgentException.Failed(
          "cannot " + action + " VM '" + name() + "': its record was not saved: " + e.getMessage(),
          e);
    }
    record = next;
  }

  /**
   * For what happened rather than what was asked (QEMU died, a start failed): the record is kept in
   * memory whatever happens, and a failed write is logged and returned, for the caller to report
   * where there is someone to report to.
   */
  Optional<String> persistOrLog(VmRecord next) {
    record = next;
    try {
      ctx.store().save(next);
      return Optional.empty();
    } catch (RuntimeException e) {
      log.error("VM {}: record not saved, kept in memory only: {}", name(), e.getMessage());
      return Optional.of(e.getMessage());
    }
  }

  // ------------------------------------------------------------------ applying

  /** Sends a pause or resume: the record first; if QEMU then refuses, the record goes back. */
  private void call(QemuProcess q, QmpCommand<?> command, VmRecord next, String action) {
    VmRecord before = record;
    persist(next, action);
    try {
      q.qmp().call(command);
    } catch (QmpException e) {
      Optional<String> unsaved = persistOrLog(before);
      throw new AgentException.Failed(
          "cannot "
              + action
              + " VM '"
              + name()
              + "': "
              + e.getMessage()
              + unsaved.map(u -> "; and its record could not be put back: " + u).orElse(""),
          e);
    }
  }
}
