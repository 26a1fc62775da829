package dev.ferry.agent.vm;

import dev.ferry.agent.network.TapDevices;
import dev.ferry.agent.vm.QemuHost.TapRelease;
import dev.ferry.qemu.Accelerator;
import dev.ferry.qemu.LaunchMode;
import dev.ferry.qemu.NicSpec;
import dev.ferry.qemu.QemuException;
import dev.ferry.qemu.QemuLauncher;
import dev.ferry.qemu.RuntimePaths;
import dev.ferry.qemu.VmSpec;
import dev.ferry.qmp.QmpClient;
import dev.ferry.qmp.QmpEvent;
import dev.ferry.qmp.QmpException;
import dev.ferry.qmp.QmpOptions;
import dev.ferry.qmp.VmCommand.Quit;
import dev.ferry.qmp.VmCommand.SystemPowerdown;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One live QEMU process of a VM, with its monitor connection and its taps: launched here, or found
 * again after an agent restart ({@link Adoption}). It knows how to watch QEMU (events, the monitor
 * closing, the process ending), to stop, quit and kill it, and to release what it held on the host.
 * It decides nothing: {@link ManagedVm} calls it under the VM's lock, except for the watcher's
 * callbacks, which arrive on QMP's event thread and on a virtual thread of their own.
 */
final class QemuProcess {
  private static final Logger log = LoggerFactory.getLogger(QemuProcess.class);
  private static final Duration QMP_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration QUIT_REPLY_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration KILL_PATIENCE = Duration.ofSeconds(10);
  private static final Duration EXIT_AFTER_MONITOR_CLOSED = Duration.ofSeconds(5);

  /**
   * After a handover the state lives on the destination and nothing of value is left to flush;
   * QEMU's own exit can linger on its migration threads, so it gets this long before SIGKILL. (A
   * TCG QEMU takes about two seconds to die even after SIGKILL while it unmaps its code buffer and
   * guest RAM; the kernel finishes that without us.)
   */
  private static final Duration HANDOVER_QUIT_PATIENCE = Duration.ofMillis(300);

  private static final long EXIT_LOOK_MILLIS = 10;

  private final String vm;
  private final ProcessHandle process;
  private final QmpClient qmp;
  private final Accelerator accelerator;
  private final RuntimePaths paths;
  private final List<String> taps;
  private final QemuHost host;
  private volatile boolean guestPoweredOff;

  /** What a watched QEMU reports. */
  interface Watcher {
    /** Any QMP event; on QMP's event thread, so it must not block. */
    void onEvent(QemuProcess qemu, QmpEvent event);

    /** The monitor connection closed; {@code exited} once the process ended too (within 5 s). */
    void onMonitorClosed(QemuProcess qemu, boolean exited);
  }

  /** Use {@link #launch} or {@link #attach}; direct construction is for the lifecycle's tests. */
  QemuProcess(
      String vm,
      ProcessHandle process,
      QmpClient qmp,
      Accelerator accelerator,
      RuntimePaths paths,
      List<String> taps,
      QemuHost host) {
    this.vm = vm;
    this.process = process;
    this.qmp = qmp;
    this.accelerator = accelerator;
    this.paths = paths;
    this.taps = List.copyOf(taps);
    this.host = host;
  }

  /**
   * Creates the VM's taps, launches QEMU ({@code -S}) and connects to its monitor. On failure
   * leaves nothing behind (no taps, no process) and throws: a {@link QemuException} in QEMU's own
   * words, or whatever the taps or the monitor failed with.
   */
  static QemuProcess launch(QemuHost host, VmSpec spec, RuntimePaths paths, LaunchMode mode) {
    Map<String, String> tapsByNic = new LinkedHashMap<>();
    ProcessHandle process = null;
    try {
      for (int i = 0; i < spec.nics().size(); i++) {
        NicSpec nic = spec.nics().get(i);
        String tap = TapDevices.tapName(spec.uuid(), i);
        host.createTap(tap, nic.bridge());
        tapsByNic.put(nic.id(), tap);
      }
      Files.createDirectories(paths.dir());
      Accelerator accelerator = host.accelerator();
      process = host.launch(spec, accelerator, paths, tapsByNic, mode);
      QmpClient qmp = connect(paths, process);
      return new QemuProcess(
          spec.name(), process, qmp, accelerator, paths, new ArrayList<>(tapsByNic.values()), host);
    } catch (IOException e) {
      release(process, tapsByNic.values(), host, spec.name());
      throw new QemuException("cannot prepare " + paths.dir() + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      release(process, tapsByNic.values(), host, spec.name());
      throw e;
    }
  }

  /** Connects to an already running QEMU of {@code spec} (after an agent restart). */
  static QemuProcess attach(QemuHost host, VmSpec spec, ProcessHandle process, RuntimePaths paths) {
    QmpClient qmp = connect(paths, process);
    return new QemuProcess(
        spec.name(), process, qmp, host.accelerator(), paths, tapNames(spec), host);
  }

  private static QmpClient connect(RuntimePaths paths, ProcessHandle process) {
    try {
      return QmpClient.connect(
          paths.qmpSocket(), QmpOptions.defaults().withConnectTimeout(QMP_CONNECT_TIMEOUT));
    } catch (QmpException e) {
      if (!process.isAlive()) {
        throw new QemuException("QEMU exited during start: " + QemuLauncher.tail(paths), e);
      }
      throw e;
    }
  }

  private static void release(
      ProcessHandle process, Iterable<String> taps, QemuHost host, String vm) {
    if (process != null) {
      kill(process, vm);
    }
    taps.forEach(t -> host.deleteTap(t, TapRelease.NOW));
  }

  private static List<String> tapNames(VmSpec spec) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < spec.nics().size(); i++) {
      names.add(TapDevices.tapName(spec.uuid(), i));
    }
    return names;
  }

  long pid() {
    return process.pid();
  }

  Accelerator accelerator() {
    return accelerator;
  }

  QmpClient qmp() {
    return qmp;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Whether the guest asked to power off (a {@code SHUTDOWN} event from the guest). */
  boolean guestPoweredOff() {
    return guestPoweredOff;
  }

  /** The last lines QEMU wrote, for error messages. */
  String logTail() {
    return QemuLauncher.tail(paths);
  }

  /** Follows QEMU's events, its monitor closing and its end. */
  void watch(Watcher watcher) {
    qmp.subscribe(
        event -> {
          if (event instanceof QmpEvent.Shutdown s && s.guest()) {
            guestPoweredOff = true;
          }
          watcher.onEvent(this, event);
        });
    qmp.closed()
        .whenComplete(
            (reason, failure) ->
                Thread.ofVirtual()
                    .name("vm-exit-" + vm)
                    .start(
                        () ->
                            watcher.onMonitorClosed(
                                this, awaitExit(process, EXIT_AFTER_MONITOR_CLOSED))));
  }

  /**
   * Stops QEMU: without {@code force}, asks the guest to power off (ACPI) and waits up to {@code
   * grace}; then asks QEMU to quit and waits up to {@code quitPatience}; then kills it. Returns
   * once the process is gone (or survived SIGKILL, which is logged).
   */
  void stop(boolean force, Duration grace, Duration quitPatience) {
    boolean exited = false;
    if (!force) {
      try {
        qmp.call(new SystemPowerdown());
        exited = awaitExit(process, grace);
        if (!exited) {
          log.warn("VM {}: guest did not power off within {} s; forcing", vm, grace.toSeconds());
        }
      } catch (QmpException e) {
        log.warn("VM {}: powerdown request failed ({}); forcing", vm, e.getMessage());
      }
    }
    if (!exited) {
      quit("stop");
      exited = awaitExit(process, quitPatience);
    }
    if (!exited) {
      log.warn("VM {}: QEMU pid {} ignored quit; killing it", vm, process.pid());
      kill(process, vm);
    }
  }

  /** Ends the source QEMU after a handover, quickly (see {@link #HANDOVER_QUIT_PATIENCE}). */
  void quitAfterHandover() {
    quit("handover");
    if (!awaitExit(process, HANDOVER_QUIT_PATIENCE)) {
      // SIGKILL and wait: the release returns only once the source QEMU is gone.
      kill(process, vm);
    }
  }

  /** SIGKILL, then waits for the process to go. */
  void kill() {
    kill(process, vm);
  }

  private void quit(String why) {
    try {
      qmp.call(new Quit(), QUIT_REPLY_TIMEOUT);
    } catch (QmpException e) {
      log.debug("VM {}: quit ({}): {}", vm, why, e.getMessage());
    }
  }

  /**
   * QEMU is gone: closes the monitor and releases what the process held on the host (taps, the
   * pidfile and the QMP socket). Never fails; what cannot be removed is logged.
   */
  void cleanUp(TapRelease tapRelease) {
    qmp.close();
    taps.forEach(t -> host.deleteTap(t, tapRelease));
    try {
      Files.deleteIfExists(paths.pidFile());
      Files.deleteIfExists(paths.qmpSocket());
    } catch (IOException e) {
      log.warn("VM {}: cannot remove runtime files: {}", vm, e.toString());
    }
  }

  /** Lets go of the monitor and leaves QEMU running (agent shutdown). */
  void detach() {
    qmp.close();
  }

  private static void kill(ProcessHandle process, String vm) {
    process.destroyForcibly();
    if (!awaitExit(process, KILL_PATIENCE)) {
      log.error("VM {}: QEMU pid {} survived SIGKILL", vm, process.pid());
    }
  }

  /**
   * Waits up to {@code timeout} for {@code process} to end; true if it did. An interrupt ends the
   * wait early (the flag stays set) and answers whether the process is gone by then.
   *
   * <p>{@link ProcessHandle#onExit} completes at once for a child of ours (tests), but QEMU
   * daemonises, and for a non-child the JDK can only poll, sleeping 300 ms and more between looks:
   * too coarse for a handover, where the migration waits for the source QEMU to go. Linux offers no
   * exit event for a non-child that the JDK exposes (that would be {@code pidfd_open(2)}), so the
   * wait also looks at the process table every 10 ms, scheduled on the JDK's delayed executor.
   */
  static boolean awaitExit(ProcessHandle process, Duration timeout) {
    if (!process.isAlive()) {
      return true;
    }
    CompletableFuture<Void> exited = new CompletableFuture<>();
    process.onExit().thenRun(() -> exited.complete(null));
    look(process, exited);
    try {
      exited.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    } catch (ExecutionException e) {
      return !process.isAlive(); // never completed exceptionally; for the compiler
    } finally {
      exited.cancel(false); // stops the looks
    }
  }

  private static void look(ProcessHandle process, CompletableFuture<Void> exited) {
    if (exited.isDone()) {
      return;
    }
    if (!process.isAlive()) {
      exited.complete(null);
      return;
    }
    CompletableFuture.delayedExecutor(EXIT_LOOK_MILLIS, TimeUnit.MILLISECONDS)
        .execute(() -> look(process, exited));
  }

  @Override
  public String toString() {
    return "QEMU pid " + process.pid();
  }
}
