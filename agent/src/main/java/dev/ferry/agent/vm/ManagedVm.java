package dev.ferry.agent.vm;

import dev.ferry.agent.AgentException;
import dev.ferry.agent.network.TapDevices;
import dev.ferry.api.AgentEvent;
import dev.ferry.api.VmInfo;
import dev.ferry.api.VmState;
import dev.ferry.qemu.Accelerator;
import dev.ferry.qemu.LaunchMode;
import dev.ferry.qemu.NicSpec;
import dev.ferry.qemu.QemuCommandLine;
import dev.ferry.qemu.QemuException;
import dev.ferry.qemu.QemuLauncher;
import dev.ferry.qemu.RuntimePaths;
import dev.ferry.qemu.VmSpec;
import dev.ferry.qmp.MigrationCommand.AnnounceSelf;
import dev.ferry.qmp.QmpClient;
import dev.ferry.qmp.QmpEvent;
import dev.ferry.qmp.QmpException;
import dev.ferry.qmp.QmpOptions;
import dev.ferry.qmp.VmCommand.Cont;
import dev.ferry.qmp.VmCommand.QueryStatus;
import dev.ferry.qmp.VmCommand.Quit;
import dev.ferry.qmp.VmCommand.Stop;
import dev.ferry.qmp.VmCommand.SystemPowerdown;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One VM on this host and its QEMU process. Lifecycle operations (start, stop, pause, resume,
 * adopt, the ends of a migration) take the VM's lock, so they never interleave; they block the
 * calling (virtual) thread while QEMU answers. QEMU going away is noticed from the QMP connection
 * closing, on a thread of its own, which also takes the lock.
 *
 * <p>Invariants: {@code running != null} exactly when {@link #state} has a process; the guest is
 * only ever started or resumed here while this host is the VM's owner; while a migration holds the
 * VM ({@code migration != null}) operators' lifecycle operations are refused.
 */
final class ManagedVm {
  private static final Logger log = LoggerFactory.getLogger(ManagedVm.class);
  private static final Duration QMP_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private final VmContext ctx;
  private final ReentrantLock lock = new ReentrantLock();
  private VmRecord record;
  private volatile VmState state = VmState.STOPPED;
  private volatile Instant since;
  private volatile String migration;
  private Running running;
  private boolean stopRequested;
  private boolean guestShutdown;

  /** A live QEMU process and its monitor connection. */
  private record Running(ProcessHandle process, QmpClient qmp, Accelerator accelerator) {}

  ManagedVm(VmContext ctx, VmRecord record) {
    this.ctx = ctx;
    this.record = record;
    this.since = ctx.clock().instant();
  }

  String name() {
    return record.spec().name();
  }

  VmSpec spec() {
    return record.spec();
  }

  VmState state() {
    return state;
  }

  VmRecord record() {
    return record;
  }

  Optional<String> migration() {
    return Optional.ofNullable(migration);
  }

  VmInfo info() {
    lock.lock();
    try {
      Running r = running;
      return new VmInfo(
          record.spec(),
          state,
          r == null ? OptionalLong.empty() : OptionalLong.of(r.process().pid()),
          r == null ? Optional.empty() : Optional.of(r.accelerator()),
          since,
          record.lastError(),
          record.owner(),
          record.epoch(),
          Optional.ofNullable(migration));
    } finally {
      lock.unlock();
    }
  }

  RuntimePaths paths() {
    return ctx.store().runtimePaths(name());
  }

  /** Starts QEMU paused, then resumes the guest. Valid from STOPPED or CRASHED, for the owner. */
  VmInfo start() {
    lock.lock();
    try {
      refuseWhileMigrating("start");
      if (state.hasProcess()) {
        throw new AgentException.Conflict("VM '" + name() + "' is already " + state.text());
      }
      requireOwnership("start");
      ctx.manager().checkMayRun(name(), record.epoch(), "start");
      launch(LaunchMode.FRESH);
      try {
        running.qmp().call(new Cont());
      } catch (QmpException e) {
        failLaunch(e);
      }
      record = record.withDesired(VmRecord.Desired.RUNNING).withLastError(Optional.empty());
      ctx.store().save(record);
      transition(
          VmState.RUNNING,
          "started (pid "
              + running.process().pid()
              + ", "
              + running.accelerator().qemuName()
              + ")");
      return info();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Launches QEMU ({@code -S}) with taps and a monitor connection; on failure leaves nothing behind
   * and throws. Caller holds the lock.
   */
  private void launch(LaunchMode mode) {
    transition(
        mode == LaunchMode.FRESH ? VmState.STARTING : VmState.INCOMING,
        mode == LaunchMode.FRESH ? "starting" : "waiting for the incoming migration");
    Map<String, String> taps = new LinkedHashMap<>();
    ProcessHandle process = null;
    try {
      for (int i = 0; i < spec().nics().size(); i++) {
        NicSpec nic = spec().nics().get(i);
        String tap = TapDevices.tapName(spec().uuid(), i);
        ctx.taps().create(tap, nic.bridge());
        taps.put(nic.id(), tap);
      }
      RuntimePaths paths = paths();
      Files.createDirectories(paths.dir());
      Accelerator accel = ctx.accelerator().accelerator();
      process =
          QemuLauncher.launch(
              QemuCommandLine.build(ctx.qemu(), spec(), accel, paths, taps, mode),
              paths,
              ctx.startTimeout());
      QmpClient qmp = connect(paths);
      running = new Running(process, qmp, accel);
      stopRequested = false;
      guestShutdown = false;
      watch(running);
    } catch (RuntimeException | IOException e) {
      running = null;
      if (process != null) {
        kill(process);
      }
      taps.values().forEach(ctx.taps()::delete);
      failLaunch(e);
    }
  }

  private void failLaunch(Exception e) {
    String why = e instanceof QemuException ? e.getMessage() : "start failed: " + e.getMessage();
    log.error("VM {}: {}", name(), why);
    Running r = running;
    running = null;
    if (r != null) {
      r.qmp().close();
      kill(r.process());
      releaseTaps();
    }
    record =
        record
            .withDesired(
                record.desired() == VmRecord.Desired.INCOMING
                    ? VmRecord.Desired.INCOMING
                    : VmRecord.Desired.STOPPED)
            .withLastError(Optional.of(why));
    ctx.store().save(record);
    transition(VmState.STOPPED, why);
    if (e instanceof AgentException ae) {
      throw ae;
    }
    throw new AgentException.Failed("VM '" + name() + "': " + why, e);
  }

  /**
   * Stops the VM: without {@code force}, asks the guest to power off (ACPI) and waits up to {@code
   * grace}; then asks QEMU to quit; then kills it. Idempotent on a stopped VM.
   */
  VmInfo stop(boolean force, Duration grace) {
    lock.lock();
    try {
      refuseWhileMigrating("stop");
      if (running == null) {
        return info();
      }
      shutDown(force, grace, "stopped");
      return info();
    } finally {
      lock.unlock();
    }
  }

  private void shutDown(boolean force, Duration grace, String why) {
    Running r = running;
    stopRequested = true;
    transition(VmState.STOPPING, force ? "forced stop" : "graceful stop");
    if (record.desired() != VmRecord.Desired.INCOMING) {
      record = record.withDesired(VmRecord.Desired.STOPPED);
      ctx.store().save(record);
    }
    boolean exited = false;
    if (!force) {
      try {
        r.qmp().call(new SystemPowerdown());
        exited = awaitExit(r.process(), grace);
        if (!exited) {
          log.warn(
              "VM {}: guest did not power off within {} s; forcing", name(), grace.toSeconds());
        }
      } catch (QmpException e) {
        log.warn("VM {}: powerdown request failed ({}); forcing", name(), e.getMessage());
      }
    }
    if (!exited) {
      try {
        r.qmp().call(new Quit(), Duration.ofSeconds(5));
      } catch (QmpException e) {
        log.debug("VM {}: quit: {}", name(), e.getMessage());
      }
      exited = awaitExit(r.process(), ctx.forcedStopTimeout());
    }
    if (!exited) {
      log.warn("VM {}: QEMU pid {} ignored quit; killing it", name(), r.process().pid());
      kill(r.process());
    }
    gone(why);
  }

  VmInfo pause() {
    lock.lock();
    try {
      refuseWhileMigrating("pause");
      Running r = requireProcess("pause");
      if (state == VmState.PAUSED) {
        return info();
      }
      call(r, new Stop(), "pause");
      record = record.withDesired(VmRecord.Desired.PAUSED);
      ctx.store().save(record);
      transition(VmState.PAUSED, "paused");
      return info();
    } finally {
      lock.unlock();
    }
  }

  VmInfo resume() {
    lock.lock();
    try {
      refuseWhileMigrating("resume");
      Running r = requireProcess("resume");
      if (state == VmState.RUNNING) {
        return info();
      }
      requireOwnership("resume");
      ctx.manager().checkMayRun(name(), record.epoch(), "resume");
      call(r, new Cont(), "resume");
      record = record.withDesired(VmRecord.Desired.RUNNING);
      ctx.store().save(record);
      transition(VmState.RUNNING, "resumed");
      return info();
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------- migration, source side

  OutgoingHandle beginOutgoing(String migrationId) {
    lock.lock();
    try {
      if (migration != null) {
        throw new AgentException.Conflict(
            "VM '" + name() + "' is already migrating (" + migration + ")");
      }
      if (running == null || (state != VmState.RUNNING && state != VmState.PAUSED)) {
        throw new AgentException.Conflict(
            "VM '" + name() + "' is " + state.text() + "; only a running VM can be live-migrated");
      }
      requireOwnership("migrate");
      Running r = running;
      boolean wasRunning = state == VmState.RUNNING;
      migration = migrationId;
      publishState("migration " + migrationId + " started");
      return new Outgoing(r, wasRunning, migrationId);
    } finally {
      lock.unlock();
    }
  }

  /** Re-attaches a migration found in progress after an agent restart. */
  OutgoingHandle resumeOutgoing(String migrationId, boolean wasRunning) {
    lock.lock();
    try {
      if (running == null) {
        throw new AgentException.Conflict("VM '" + name() + "' has no QEMU to recover");
      }
      migration = migrationId;
      return new Outgoing(running, wasRunning, migrationId);
    } finally {
      lock.unlock();
    }
  }

  private final class Outgoing implements OutgoingHandle {
    private final Running r;
    private final boolean wasRunning;
    private final String id;

    Outgoing(Running r, boolean wasRunning, String id) {
      this.r = r;
      this.wasRunning = wasRunning;
      this.id = id;
    }

    @Override
    public VmSpec spec() {
      return record.spec();
    }

    @Override
    public long epoch() {
      return record.epoch();
    }

    @Override
    public QmpClient qmp() {
      return r.qmp();
    }

    @Override
    public boolean wasRunning() {
      return wasRunning;
    }

    @Override
    public void release(String newOwner, long newEpoch) {
      lock.lock();
      try {
        // Ownership first: from here on this host may never resume the guest.
        record = record.withOwnership(newOwner, newEpoch);
        ctx.store().save(record);
        if (running == r) {
          stopRequested = true;
          try {
            r.qmp().call(new Quit(), Duration.ofSeconds(5));
          } catch (QmpException e) {
            log.debug("VM {}: quit after handover: {}", name(), e.getMessage());
          }
          // The state lives on the destination now; QEMU's own exit can linger on its
          // migration threads, and nothing of value is left to flush.
          // A TCG QEMU takes about two seconds to die even after SIGKILL (it unmaps its code
          // buffer and guest RAM); the kernel finishes that without us.
          if (!awaitExit(r.process(), Duration.ofMillis(300))) {
            r.process().destroyForcibly();
          }
          asyncTapRelease = true;
          gone("handed over to " + newOwner + " (epoch " + newEpoch + ")");
          asyncTapRelease = false;
        }
        migration = null;
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void keepPaused() {
      lock.lock();
      try {
        migration = null;
        record = record.withLastError(Optional.of("migration " + id + ": handover unconfirmed"));
        ctx.store().save(record);
        publishState("kept paused: handover of migration " + id + " unconfirmed");
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void rollBack() {
      lock.lock();
      try {
        if (running == r && wasRunning && record.owner().equals(ctx.hostName())) {
          try {
            StatusCheck.resumeIfPaused(r.qmp());
          } catch (QmpException e) {
            log.error("VM {}: could not resume after rollback: {}", name(), e.getMessage());
          }
          if (state != VmState.RUNNING && running == r) {
            transition(VmState.RUNNING, "resumed after migration " + id + " rolled back");
          }
        }
        migration = null;
        publishState("migration " + id + " ended; VM stays here");
      } finally {
        lock.unlock();
      }
    }
  }

  // ---------------------------------------------------------------- disk move (same host)

  DiskMoveHandle beginDiskMove(String moveId) {
    lock.lock();
    try {
      if (migration != null) {
        throw new AgentException.Conflict(
            "VM '" + name() + "' is busy (" + migration + "); a disk moves one at a time");
      }
      if (running == null || (state != VmState.RUNNING && state != VmState.PAUSED)) {
        throw new AgentException.Conflict(
            "VM '"
                + name()
                + "' is "
                + state.text()
                + "; a disk moves live only while the VM runs (copy a stopped VM's image and"
                + " recreate the VM instead)");
      }
      requireOwnership("move a disk of");
      Running r = running;
      migration = moveId;
      publishState(moveId + " started");
      return new DiskMove(r, moveId);
    } finally {
      lock.unlock();
    }
  }

  private final class DiskMove implements DiskMoveHandle {
    private final Running r;
    private final String id;

    DiskMove(Running r, String id) {
      this.r = r;
      this.id = id;
    }

    @Override
    public VmSpec spec() {
      return record.spec();
    }

    @Override
    public QmpClient qmp() {
      return r.qmp();
    }

    @Override
    public void finish(VmSpec moved) {
      lock.lock();
      try {
        record = record.withSpec(moved);
        ctx.store().save(record);
        migration = null;
        publishState(id + " done");
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void abandon(String why) {
      lock.lock();
      try {
        migration = null;
        publishState(id + " failed: " + why);
      } finally {
        lock.unlock();
      }
    }
  }

  // ---------------------------------------------------------------- migration, destination side

  /**
   * Starts QEMU waiting for an incoming migration; the VM is owned by the source until handover.
   */
  IncomingHandle receive(String migrationId) {
    lock.lock();
    try {
      migration = migrationId;
      launch(LaunchMode.INCOMING);
      return new Incoming(running);
    } catch (RuntimeException e) {
      migration = null;
      throw e;
    } finally {
      lock.unlock();
    }
  }

  /** Re-attaches an incoming side found after an agent restart (QEMU still alive). */
  Optional<IncomingHandle> incomingHandle(String migrationId) {
    lock.lock();
    try {
      migration = migrationId;
      return running == null ? Optional.empty() : Optional.of(new Incoming(running));
    } finally {
      lock.unlock();
    }
  }

  private final class Incoming implements IncomingHandle {
    private final Running r;

    Incoming(Running r) {
      this.r = r;
    }

    @Override
    public String name() {
      return ManagedVm.this.name();
    }

    @Override
    public QmpClient qmp() {
      return r.qmp();
    }

    @Override
    public boolean alive() {
      return running == r && r.process().isAlive();
    }

    @Override
    public void takeOver(long epoch) {
      lock.lock();
      try {
        if (running != r) {
          throw new AgentException.Conflict(
              "VM '" + name() + "': the incoming QEMU is gone; cannot take over");
        }
        record =
            record
                .withOwnership(ctx.hostName(), epoch)
                .withDesired(VmRecord.Desired.RUNNING)
                .withLastError(Optional.empty());
        ctx.store().save(record);
        r.qmp().call(new Cont());
        try {
          r.qmp().call(AnnounceSelf.defaults());
        } catch (QmpException e) {
          log.warn("VM {}: announce after handover failed: {}", name(), e.getMessage());
        }
        migration = null;
        transition(VmState.RUNNING, "taken over with epoch " + epoch + " and resumed");
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void discard(String why) {
      lock.lock();
      try {
        if (record.owner().equals(ctx.hostName())) {
          throw new AgentException.Conflict(
              "VM '" + name() + "' is owned by this host; an incoming VM only is discarded");
        }
        if (running == r) {
          stopRequested = true;
          r.qmp().close();
          kill(r.process());
          gone("incoming side discarded: " + why);
        }
        migration = null;
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * Finds this VM's QEMU after an agent restart (pidfile + QMP socket) and takes it over without
   * disturbing the guest. A VM whose QEMU is gone is recorded as crashed if it should be running.
   */
  void adopt() {
    lock.lock();
    try {
      RuntimePaths paths = paths();
      Optional<ProcessHandle> found = QemuLauncher.find(paths, spec().uuid().toString());
      if (found.isEmpty()) {
        if (record.desired() == VmRecord.Desired.INCOMING) {
          state = VmState.STOPPED;
          return;
        }
        if (record.desired() != VmRecord.Desired.STOPPED) {
          String why = "QEMU was not running when the agent started";
          record = record.withLastError(Optional.of(why));
          ctx.store().save(record);
          transition(VmState.CRASHED, why);
        }
        return;
      }
      ProcessHandle process = found.get();
      QmpClient qmp;
      try {
        qmp = connect(paths);
      } catch (RuntimeException e) {
        log.error(
            "VM {}: QEMU pid {} is alive but its monitor does not answer: {}",
            name(),
            process.pid(),
            e.getMessage());
        throw e;
      }
      running = new Running(process, qmp, ctx.accelerator().accelerator());
      stopRequested = false;
      watch(running);
      VmState now;
      if (record.desired() == VmRecord.Desired.INCOMING) {
        now = VmState.INCOMING;
      } else {
        now = qmp.call(new QueryStatus()).running() ? VmState.RUNNING : VmState.PAUSED;
      }
      state = now;
      since = ctx.clock().instant();
      ctx.events()
          .publish(
              AgentEvent.Type.VM_ADOPTED,
              Optional.of(name()),
              Optional.of(now),
              "re-adopted running QEMU pid " + process.pid() + " (" + now.text() + ")");
      log.info("VM {}: re-adopted QEMU pid {} ({})", name(), process.pid(), now.text());
    } finally {
      lock.unlock();
    }
  }

  /** The last {@code bytes} of the serial console ({@code <= 0}: all). */
  String console(long bytes) {
    var file = paths().consoleLog();
    if (!Files.exists(file)) {
      return "";
    }
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long len = f.length();
      long from = bytes <= 0 ? 0 : Math.max(0, len - bytes);
      byte[] buf = new byte[(int) Math.min(len - from, 16L << 20)];
      f.seek(len - buf.length);
      f.readFully(buf);
      return new String(buf, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AgentException.Failed("cannot read console of '" + name() + "': " + e, e);
    }
  }

  /** Closes the monitor connection and leaves QEMU running (agent shutdown). */
  void detach() {
    lock.lock();
    try {
      if (running != null) {
        running.qmp().close();
      }
    } finally {
      lock.unlock();
    }
  }

  private void refuseWhileMigrating(String action) {
    if (migration != null) {
      throw new AgentException.Conflict(
          "cannot "
              + action
              + " VM '"
              + name()
              + "': it is migrating ("
              + migration
              + "); abort the migration first");
    }
  }

  private void requireOwnership(String action) {
    if (!record.owner().equals(ctx.hostName())) {
      throw new AgentException.Conflict(
          "cannot "
              + action
              + " VM '"
              + name()
              + "': it is owned by "
              + record.owner()
              + " (epoch "
              + record.epoch()
              + "), not by this host ("
              + ctx.hostName()
              + ")");
    }
  }

  private Running requireProcess(String action) {
    if (running == null || state == VmState.STOPPING || state == VmState.STARTING) {
      throw new AgentException.Conflict(
          "cannot " + action + " VM '" + name() + "': it is " + state.text());
    }
    return running;
  }

  private void call(Running r, dev.ferry.qmp.QmpCommand<?> command, String action) {
    try {
      r.qmp().call(command);
    } catch (QmpException e) {
      throw new AgentException.Failed(
          "cannot " + action + " VM '" + name() + "': " + e.getMessage(), e);
    }
  }

  private QmpClient connect(RuntimePaths paths) {
    return QmpClient.connect(
        paths.qmpSocket(), QmpOptions.defaults().withConnectTimeout(QMP_CONNECT_TIMEOUT));
  }

  /** Follows QEMU's events and its disappearance. */
  private void watch(Running r) {
    r.qmp()
        .subscribe(
            event -> {
              switch (event) {
                case QmpEvent.Shutdown s -> guestShutdown = guestShutdown || s.guest();
                case QmpEvent.Stop s -> externalState(r, VmState.PAUSED, "vCPUs stopped");
                case QmpEvent.Resume s -> externalState(r, VmState.RUNNING, "vCPUs resumed");
                default -> {}
              }
              if (!(event instanceof QmpEvent.Migration
                  || event instanceof QmpEvent.MigrationPass)) {
                ctx.events()
                    .publish(
                        AgentEvent.Type.GUEST_EVENT,
                        Optional.of(name()),
                        Optional.empty(),
                        "QEMU event " + event.eventName());
              }
            });
    r.qmp()
        .closed()
        .whenComplete(
            (ok, err) ->
                Thread.ofVirtual().name("vm-exit-" + name()).start(() -> onMonitorClosed(r)));
  }

  private void externalState(Running r, VmState to, String why) {
    if (!lock.tryLock()) {
      return; // an operation of ours is under way and will set the state itself
    }
    try {
      if (running == r && (state == VmState.RUNNING || state == VmState.PAUSED) && state != to) {
        transition(to, why);
      }
    } finally {
      lock.unlock();
    }
  }

  private void onMonitorClosed(Running r) {
    boolean exited = awaitExit(r.process(), Duration.ofSeconds(5));
    lock.lock();
    try {
      if (running != r) {
        return; // already handled
      }
      if (!exited) {
        log.warn(
            "VM {}: QMP connection closed but QEMU pid {} is still alive",
            name(),
            r.process().pid());
        return;
      }
      if (stopRequested || guestShutdown) {
        if (record.desired() != VmRecord.Desired.INCOMING) {
          record = record.withDesired(VmRecord.Desired.STOPPED);
          ctx.store().save(record);
        }
        gone(guestShutdown && !stopRequested ? "guest powered off" : "stopped");
      } else {
        String why = "QEMU exited unexpectedly: " + QemuLauncher.tail(paths());
        record = record.withLastError(Optional.of(why));
        ctx.store().save(record);
        cleanUp(r);
        running = null;
        transition(VmState.CRASHED, why);
      }
    } finally {
      lock.unlock();
    }
  }

  /** QEMU is gone by our hand or the guest's: release host resources, record STOPPED. */
  private void gone(String why) {
    Running r = running;
    running = null;
    if (r != null) {
      cleanUp(r);
    }
    transition(VmState.STOPPED, why);
  }

  private void cleanUp(Running r) {
    r.qmp().close();
    releaseTaps();
    try {
      Files.deleteIfExists(paths().pidFile());
      Files.deleteIfExists(paths().qmpSocket());
    } catch (IOException e) {
      log.warn("VM {}: cannot remove runtime files: {}", name(), e.toString());
    }
  }

  private void releaseTaps() {
    for (int i = 0; i < spec().nics().size(); i++) {
      String tap = TapDevices.tapName(spec().uuid(), i);
      if (asyncTapRelease) {
        ctx.taps().deleteLater(tap);
      } else {
        ctx.taps().delete(tap);
      }
    }
  }

  /** Set while releasing after a handover, when nobody needs to wait for the taps to go. */
  private boolean asyncTapRelease;

  private void transition(VmState to, String why) {
    VmState from = state;
    state = to;
    since = ctx.clock().instant();
    log.info("VM {}: {} -> {} ({})", name(), from.text(), to.text(), why);
    ctx.events()
        .publish(AgentEvent.Type.VM_STATE_CHANGED, Optional.of(name()), Optional.of(to), why);
  }

  private void publishState(String why) {
    ctx.events()
        .publish(AgentEvent.Type.VM_STATE_CHANGED, Optional.of(name()), Optional.of(state), why);
  }

  /**
   * Waits for a process to end. QEMU is not our child (it daemonises), and the JDK's exit
   * notification for non-children polls slowly, so poll {@code /proc} briefly ourselves.
   */
  private static boolean awaitExit(ProcessHandle process, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (process.isAlive()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return !process.isAlive();
      }
    }
    return true;
  }

  private void kill(ProcessHandle process) {
    process.destroyForcibly();
    if (!awaitExit(process, Duration.ofSeconds(10))) {
      log.error("VM {}: QEMU pid {} survived SIGKILL", name(), process.pid());
    }
  }
}
