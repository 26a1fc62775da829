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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One VM on this host and its QEMU process. Lifecycle operations (start, stop, pause, resume,
 * adopt) take the VM's lock, so they never interleave; they block the calling (virtual) thread
 * while QEMU answers. QEMU going away is noticed from the QMP connection closing, on the QMP
 * client's thread, which also takes the lock.
 *
 * <p>Invariant: {@code running != null} exactly when {@link #state} has a process.
 */
final class ManagedVm {
  private static final Logger log = LoggerFactory.getLogger(ManagedVm.class);
  private static final Duration QMP_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private final VmContext ctx;
  private final ReentrantLock lock = new ReentrantLock();
  private VmRecord record;
  private volatile VmState state = VmState.STOPPED;
  private volatile Instant since;
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
          record.lastError());
    } finally {
      lock.unlock();
    }
  }

  RuntimePaths paths() {
    return ctx.store().runtimePaths(name());
  }

  /** Starts QEMU paused, then resumes the guest. Valid from STOPPED or CRASHED. */
  VmInfo start() {
    lock.lock();
    try {
      if (state.hasProcess()) {
        throw new AgentException.Conflict("VM '" + name() + "' is already " + state.text());
      }
      transition(VmState.STARTING, "starting");
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
                QemuCommandLine.build(ctx.qemu(), spec(), accel, paths, taps, LaunchMode.FRESH),
                paths,
                ctx.startTimeout());
        QmpClient qmp = connect(paths);
        running = new Running(process, qmp, accel);
        stopRequested = false;
        guestShutdown = false;
        watch(running);
        qmp.call(new Cont());
        record = record.withDesired(VmRecord.Desired.RUNNING).withLastError(Optional.empty());
        ctx.store().save(record);
        transition(
            VmState.RUNNING, "started (pid " + process.pid() + ", " + accel.qemuName() + ")");
        return info();
      } catch (RuntimeException | IOException e) {
        String why =
            e instanceof QemuException ? e.getMessage() : "start failed: " + e.getMessage();
        log.error("VM {}: {}", name(), why);
        Running r = running;
        running = null;
        if (r != null) {
          r.qmp().close();
        }
        if (process != null) {
          kill(process);
        }
        taps.values().forEach(ctx.taps()::delete);
        record = record.withDesired(VmRecord.Desired.STOPPED).withLastError(Optional.of(why));
        ctx.store().save(record);
        transition(VmState.STOPPED, why);
        if (e instanceof AgentException ae) {
          throw ae;
        }
        throw new AgentException.Failed("VM '" + name() + "': " + why, e);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops the VM: without {@code force}, asks the guest to power off (ACPI) and waits up to {@code
   * grace}; then asks QEMU to quit; then kills it. Idempotent on a stopped VM.
   */
  VmInfo stop(boolean force, Duration grace) {
    lock.lock();
    try {
      if (running == null) {
        return info();
      }
      Running r = running;
      stopRequested = true;
      transition(VmState.STOPPING, force ? "forced stop" : "graceful stop");
      record = record.withDesired(VmRecord.Desired.STOPPED);
      ctx.store().save(record);
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
          r.qmp().call(new Quit());
        } catch (QmpException e) {
          log.debug("VM {}: quit: {}", name(), e.getMessage());
        }
        exited = awaitExit(r.process(), ctx.forcedStopTimeout());
      }
      if (!exited) {
        log.warn("VM {}: QEMU pid {} ignored quit; killing it", name(), r.process().pid());
        kill(r.process());
      }
      gone("stopped");
      return info();
    } finally {
      lock.unlock();
    }
  }

  VmInfo pause() {
    lock.lock();
    try {
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
      Running r = requireProcess("resume");
      if (state == VmState.RUNNING) {
        return info();
      }
      call(r, new Cont(), "resume");
      record = record.withDesired(VmRecord.Desired.RUNNING);
      ctx.store().save(record);
      transition(VmState.RUNNING, "resumed");
      return info();
    } finally {
      lock.unlock();
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
      boolean active = qmp.call(new QueryStatus()).running();
      VmState now = active ? VmState.RUNNING : VmState.PAUSED;
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
              ctx.events()
                  .publish(
                      AgentEvent.Type.GUEST_EVENT,
                      Optional.of(name()),
                      Optional.empty(),
                      "QEMU event " + event.eventName());
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
        return; // already handled by stop()
      }
      if (!exited) {
        log.warn(
            "VM {}: QMP connection closed but QEMU pid {} is still alive",
            name(),
            r.process().pid());
        return;
      }
      if (stopRequested || guestShutdown) {
        record = record.withDesired(VmRecord.Desired.STOPPED);
        ctx.store().save(record);
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
    for (int i = 0; i < spec().nics().size(); i++) {
      ctx.taps().delete(TapDevices.tapName(spec().uuid(), i));
    }
    try {
      Files.deleteIfExists(paths().pidFile());
      Files.deleteIfExists(paths().qmpSocket());
    } catch (IOException e) {
      log.warn("VM {}: cannot remove runtime files: {}", name(), e.toString());
    }
  }

  private void transition(VmState to, String why) {
    VmState from = state;
    state = to;
    since = ctx.clock().instant();
    log.info("VM {}: {} -> {} ({})", name(), from.text(), to.text(), why);
    ctx.events()
        .publish(AgentEvent.Type.VM_STATE_CHANGED, Optional.of(name()), Optional.of(to), why);
  }

  private static boolean awaitExit(ProcessHandle process, Duration timeout) {
    try {
      process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return !process.isAlive();
    } catch (ExecutionException e) {
      return !process.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }

  private void kill(ProcessHandle process) {
    process.destroyForcibly();
    if (!awaitExit(process, Duration.ofSeconds(10))) {
      log.error("VM {}: QEMU pid {} survived SIGKILL", name(), process.pid());
    }
  }
}
