package dev.ferry.agent.vm;

import dev.ferry.qemu.Accelerator;
import dev.ferry.qemu.LaunchMode;
import dev.ferry.qemu.QemuException;
import dev.ferry.qemu.RuntimePaths;
import dev.ferry.qemu.VmSpec;
import dev.ferry.qmp.FakeQmpServer;
import dev.ferry.qmp.FakeQmpServer.Script;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * QEMU behind the {@link QemuHost} seam, for component tests: a child process ({@code sleep}, named
 * after the VM's UUID as QEMU's command line would be) stands in for QEMU, a {@link FakeQmpServer}
 * linked at the VM's QMP socket for its monitor, and taps are names in a set. The monitor answers
 * like an idle QEMU; tests add or replace scripts in {@link #onLaunch}.
 */
final class FakeQemu implements QemuHost, AutoCloseable {
  /** One launched (or planted) fake QEMU. */
  record Instance(Process process, FakeQmpServer qmp, RuntimePaths paths) {
    /** QEMU goes away: the process dies, the monitor connection drops. */
    void die() {
      process.destroyForcibly();
      try {
        process.waitFor();
        qmp.connection().disconnect();
      } catch (InterruptedException | IOException | IllegalStateException e) {
        // no client connected: nothing to drop
      }
    }
  }

  private final Set<String> taps = ConcurrentHashMap.newKeySet();
  private final List<String> tapsCreated = new CopyOnWriteArrayList<>();
  private final List<Instance> instances = new CopyOnWriteArrayList<>();
  private volatile Consumer<Instance> onLaunch = i -> {};
  private volatile Optional<String> refusal = Optional.empty();

  /** Runs on every launch, after the default scripts are in place. */
  FakeQemu onLaunch(Consumer<Instance> script) {
    this.onLaunch = script;
    return this;
  }

  /** Makes launches fail as QEMU does when it refuses to start. */
  FakeQemu refusing(String why) {
    this.refusal = Optional.of(why);
    return this;
  }

  /** Taps that exist now. */
  Set<String> taps() {
    return Set.copyOf(taps);
  }

  List<String> tapsCreated() {
    return List.copyOf(tapsCreated);
  }

  Instance last() {
    return instances.getLast();
  }

  @Override
  public Accelerator accelerator() {
    return Accelerator.TCG;
  }

  @Override
  public void createTap(String tap, String bridge) {
    taps.add(tap);
    tapsCreated.add(tap);
  }

  @Override
  public void deleteTap(String tap, TapRelease when) {
    taps.remove(tap);
  }

  @Override
  public ProcessHandle launch(
      VmSpec spec,
      Accelerator accelerator,
      RuntimePaths paths,
      Map<String, String> tapsByNic,
      LaunchMode mode) {
    if (refusal.isPresent()) {
      throw new QemuException("QEMU refused to start (exit 1): " + refusal.get());
    }
    Instance i = plant(paths, spec.uuid(), spec.uuid());
    onLaunch.accept(i);
    return i.process().toHandle();
  }

  /**
   * Starts a fake QEMU of VM {@code uuid} at {@code paths} (pidfile, monitor), as one left running
   * by a previous agent; its monitor answers {@code query-uuid} with {@code answers}.
   */
  Instance plant(RuntimePaths paths, UUID uuid, UUID answers) {
    try {
      Files.createDirectories(paths.dir());
      Process p =
          new ProcessBuilder("bash", "-c", "exec -a qemu-" + uuid + " sleep 600")
              .redirectErrorStream(true)
              .start();
      Files.writeString(paths.pidFile(), Long.toString(p.pid()));
      FakeQmpServer qmp = FakeQmpServer.start(paths.dir());
      Files.deleteIfExists(paths.qmpSocket());
      Files.createSymbolicLink(paths.qmpSocket(), qmp.socket().getFileName());
      Instance i = new Instance(p, qmp, paths);
      instances.add(i);
      qmp.on("cont", Script.reply("{}"))
          .on("stop", Script.reply("{}"))
          .on("query-status", Script.reply("{\"running\": true, \"status\": \"running\"}"))
          .on("query-uuid", Script.reply("{\"UUID\": \"" + answers + "\"}"))
          .on(
              "system_powerdown",
              (request, connection) -> {
                connection.reply(request, "{}");
                connection.event("SHUTDOWN", "{\"guest\": true, \"reason\": \"guest-shutdown\"}");
                i.die();
              })
          .on(
              "quit",
              (request, connection) -> {
                connection.reply(request, "{}");
                connection.event("SHUTDOWN", "{\"guest\": false, \"reason\": \"host-qmp-quit\"}");
                i.die();
              });
      return i;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Ends every fake QEMU still running and closes its monitor. */
  @Override
  public void close() throws IOException {
    for (Instance i : instances) {
      i.process().destroyForcibly();
      i.qmp().close();
    }
  }
}
