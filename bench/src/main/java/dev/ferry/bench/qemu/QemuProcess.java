package dev.ferry.bench.qemu;

import dev.ferry.bench.BenchException;
import dev.ferry.bench.BenchWorld;
import dev.ferry.bench.Cleanup;
import dev.ferry.lab.testbed.HostPlan;
import dev.ferry.qemu.LaunchMode;
import dev.ferry.qemu.NicSpec;
import dev.ferry.qemu.QemuCommandLine;
import dev.ferry.qemu.QemuLauncher;
import dev.ferry.qemu.RuntimePaths;
import dev.ferry.qemu.VmSpec;
import dev.ferry.qmp.QmpClient;
import dev.ferry.qmp.QmpException;
import dev.ferry.qmp.QmpOptions;
import dev.ferry.qmp.VmCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A QEMU process the benchmark started itself inside a testbed host's namespace, with its taps on
 * the host bridge and its QMP socket reachable from the root namespace (it is a file). Closing it
 * quits QEMU (killing it by pid if it does not go), removes its taps and its runtime directory.
 *
 * <p>Owned by the thread running one benchmark run; the cleanup registry may close it from the
 * shutdown hook.
 */
final class QemuProcess implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration QUIT_GRACE = Duration.ofSeconds(5);
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

  private final String what;
  private final RuntimePaths paths;
  private final ProcessHandle process;
  private final QmpClient qmp;
  private final Cleanup.Registration undo;

  private QemuProcess(
      String what,
      RuntimePaths paths,
      ProcessHandle process,
      QmpClient qmp,
      Cleanup.Registration undo) {
    this.what = what;
    this.paths = paths;
    this.process = process;
    this.qmp = qmp;
    this.undo = undo;
  }

  /**
   * Starts {@code spec} in {@code host}'s namespace: paused ({@code -S}) for {@link
   * LaunchMode#FRESH}, waiting for {@code migrate-incoming} for {@link LaunchMode#INCOMING}.
   */
  static QemuProcess start(BenchWorld world, HostPlan host, VmSpec spec, LaunchMode mode) {
    String what = "QEMU " + spec.name() + " on " + host.name();
    RuntimePaths paths =
        new RuntimePaths(
            world.runtimeDir().resolve("qemu").resolve(host.name()).resolve(spec.name()));
    Map<String, String> taps = new LinkedHashMap<>();
    for (int i = 0; i < spec.nics().size(); i++) {
      taps.put(spec.nics().get(i).id(), tapName(spec, host, i));
    }
    AtomicReference<ProcessHandle> started = new AtomicReference<>();
    Cleanup.Registration undo =
        world
            .cleanup()
            .add(
                what,
                () -> {
                  ProcessHandle p = started.get();
                  if (p != null) {
                    Cleanup.kill(p, QUIT_GRACE);
                  }
                  taps.values().forEach(tap -> deleteTap(world, host, tap));
                  Cleanup.deleteTree(paths.dir());
                });
    QmpClient qmp = null;
    try {
      Cleanup.deleteTree(paths.dir());
      Files.createDirectories(paths.dir());
      for (NicSpec nic : spec.nics()) {
        createTap(world, host, taps.get(nic.id()), nic.bridge());
      }
      List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", host.namespace()));
      command.addAll(
          QemuCommandLine.build(world.qemu(), spec, world.accelerator(), paths, taps, mode));
      started.set(QemuLauncher.launch(command, paths, START_TIMEOUT));
      qmp = QmpClient.connect(paths.qmpSocket(), QmpOptions.defaults());
      return new QemuProcess(what, paths, started.get(), qmp, undo);
    } catch (IOException e) {
      undo.close();
      throw new BenchException("start " + what, e.getMessage(), e);
    } catch (RuntimeException e) {
      if (qmp != null) {
        qmp.close();
      }
      undo.close();
      throw e;
    }
  }

  QmpClient qmp() {
    return qmp;
  }

  long pid() {
    return process.pid();
  }

  /** The guest's serial console so far. */
  String console() {
    try {
      return Files.exists(paths.consoleLog())
          ? Files.readString(paths.consoleLog(), StandardCharsets.ISO_8859_1)
          : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Asks QEMU to exit ({@code quit}); it is killed by {@link #close()} if it does not. */
  void quit() {
    try {
      qmp.call(new VmCommand.Quit(), COMMAND_TIMEOUT);
    } catch (QmpException.Disconnected e) {
      // QEMU may close the socket before its reply to quit is read: it is leaving either way.
    }
  }

  @Override
  public void close() {
    if (process.isAlive() && qmp.isOpen()) {
      try {
        quit();
      } catch (QmpException e) {
        // Killed by pid below.
      }
    }
    qmp.close();
    undo.close();
  }

  @Override
  public String toString() {
    return what + " (pid " + process.pid() + ")";
  }

  /** Tap names are host-local and at most 15 bytes: {@code bq} + 8 hex of the UUID + host + NIC. */
  private static String tapName(VmSpec spec, HostPlan host, int nic) {
    return "bq" + spec.uuid().toString().substring(0, 8) + (char) ('a' + host.index()) + nic;
  }

  private static void createTap(BenchWorld world, HostPlan host, String tap, String bridge) {
    world
        .exec(host, COMMAND_TIMEOUT, List.of("ip", "tuntap", "add", "dev", tap, "mode", "tap"))
        .orThrow("create tap " + tap + " on " + host.name());
    world
        .exec(
            host, COMMAND_TIMEOUT, List.of("ip", "link", "set", "dev", tap, "master", bridge, "up"))
        .orThrow("plug tap " + tap + " into " + bridge + " on " + host.name());
  }

  private static void deleteTap(BenchWorld world, HostPlan host, String tap) {
    // Fails harmlessly when the tap was never made or went with QEMU.
    world.exec(host, COMMAND_TIMEOUT, List.of("ip", "link", "del", "dev", tap));
  }
}
