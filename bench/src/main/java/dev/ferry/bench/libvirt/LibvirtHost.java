package dev.ferry.bench.libvirt;

import dev.ferry.bench.BenchException;
import dev.ferry.bench.BenchWorld;
import dev.ferry.bench.Cleanup;
import dev.ferry.bench.Commands;
import dev.ferry.lab.testbed.ExecResult;
import dev.ferry.lab.testbed.HostPlan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * One libvirt "host": a {@code libvirtd} inside a testbed host's network namespace and in a private
 * mount namespace of its own, where a tmpfs hides the machine's {@code /run} and per-host
 * directories are bind-mounted over libvirt's runtime, state, config, log and cache directories.
 * Two of them on one machine then behave like two libvirt hosts that reach each other only over the
 * testbed network ({@code qemu+tcp://<host address>/system}).
 *
 * <p>The per-host directories live under {@code <dataDir>/libvirt/<host>/} and can be read from the
 * root namespace (the console files, libvirt's and QEMU's logs, domain pidfiles). {@link #close()}
 * kills the domains' QEMU processes and the daemon by pid and removes the directories.
 */
final class LibvirtHost implements AutoCloseable {
  static final Path LIBVIRTD = Path.of("/usr/sbin/libvirtd");
  static final Path VIRSH = Path.of("/usr/bin/virsh");

  /** How the private mount namespace is set up before libvirtd replaces the shell. */
  private static final String START_SCRIPT =
      """
      set -eu
      d=$1
      mount -t tmpfs -o mode=0755 ferry-bench-run /run
      for m in run:/run/libvirt lib:/var/lib/libvirt etc:/etc/libvirt log:/var/log/libvirt \
               cache:/var/cache/libvirt; do
        mkdir -p "${m#*:}"
        mount --bind "$d/${m%%:*}" "${m#*:}"
      done
      mkdir -p /var/lib/libvirt/images
      mount --bind "$2" /var/lib/libvirt/images
      exec libvirtd --listen --config /etc/libvirt/libvirtd.conf
      """;

  private static final List<String> DIRS = List.of("run", "lib", "etc", "log", "cache");
  private static final String LOG_IN_DAEMON = "/var/log/libvirt/libvirtd.log";
  private static final String CONSOLE_DIR_IN_DAEMON = "/var/log/libvirt/qemu";

  /**
   * Where the daemon sees the testbed host's local storage: libvirt's usual image directory, a bind
   * mount of the host's own local directory, so the same path names a different file on each host
   * (what non-shared storage looks like to libvirt).
   */
  static final String IMAGES_IN_DAEMON = "/var/lib/libvirt/images";

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration READY_POLL = Duration.ofMillis(500);
  private static final Duration VIRSH_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);

  private final HostPlan host;
  private final Path dir;
  private final Process daemon;
  private final Cleanup.Registration undo;

  private LibvirtHost(HostPlan host, Path dir, Process daemon, Cleanup.Registration undo) {
    this.host = host;
    this.dir = dir;
    this.daemon = daemon;
    this.undo = undo;
  }

  /**
   * Starts libvirtd for {@code host} and waits until it answers over TCP.
   *
   * @throws BenchException naming the host and the end of libvirtd's output if it does not
   */
  static LibvirtHost start(BenchWorld world, HostPlan host) {
    Path dir = world.dataDir().resolve("libvirt").resolve(host.name());
    Cleanup.deleteTree(dir);
    try {
      for (String d : DIRS) {
        Files.createDirectories(dir.resolve(d));
      }
      Files.createDirectories(dir.resolve("log").resolve("qemu"));
      Files.createDirectories(dir.resolve("lib").resolve("qemu"));
      UUID hostUuid =
          UUID.nameUUIDFromBytes(
              ("ferry-bench/" + world.testbed().name() + "/" + host.name())
                  .getBytes(StandardCharsets.UTF_8));
      Files.writeString(
          dir.resolve("etc").resolve("libvirtd.conf"),
          LibvirtConfig.libvirtd(host.address(), hostUuid, LOG_IN_DAEMON));
      Files.writeString(dir.resolve("etc").resolve("qemu.conf"), LibvirtConfig.qemu());
    } catch (IOException e) {
      throw new BenchException("prepare libvirt on " + host.name(), e.getMessage(), e);
    }
    List<String> command =
        List.of(
            "ip",
            "netns",
            "exec",
            host.namespace(),
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "--",
            "sh",
            "-c",
            START_SCRIPT,
            "sh",
            dir.toString(),
            host.localDir().toString());
    Process daemon;
    try {
      // ip netns exec, unshare and sh each exec the next: the child's pid is libvirtd's.
      // A daemon that outlives this call, so not the shared ProcessRunner: its output goes to a
      // log file and Cleanup stops it by pid.
      daemon =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("daemon.out").toFile()))
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .start();
    } catch (IOException e) {
      throw new BenchException("start libvirtd on " + host.name(), e.getMessage(), e);
    }
    Cleanup.Registration undo =
        world.cleanup().add("libvirtd on " + host.name(), () -> stop(daemon.toHandle(), dir));
    LibvirtHost h = new LibvirtHost(host, dir, daemon, undo);
    try {
      h.awaitReady();
    } catch (RuntimeException e) {
      undo.close();
      throw e;
    }
    return h;
  }

  HostPlan host() {
    return host;
  }

  /** {@code qemu+tcp://<address>/system}. */
  String uri() {
    return "qemu+tcp://" + host.address() + "/system";
  }

  /** Runs {@code virsh -c <this host> args...} from this host's namespace. */
  ExecResult virsh(String... args) {
    List<String> command =
        new ArrayList<>(
            List.of("ip", "netns", "exec", host.namespace(), VIRSH.toString(), "-c", uri()));
    command.addAll(List.of(args));
    return Commands.run(command, VIRSH_TIMEOUT);
  }

  /**
   * The serial console file of domain {@code name}, as libvirt (in its mount namespace) sees it.
   */
  static String consoleInDaemon(String name) {
    return CONSOLE_DIR_IN_DAEMON + "/" + name + ".console";
  }

  /** The serial console of domain {@code name} on this host, read from the root namespace. */
  String console(String name) {
    Path file = dir.resolve("log").resolve("qemu").resolve(name + ".console");
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The last lines of libvirt's QEMU log for domain {@code name}, for error messages. */
  String qemuLogTail(String name) {
    return tail(dir.resolve("log").resolve("qemu").resolve(name + ".log"));
  }

  /**
   * Removes domain {@code name} from this host: {@code virsh destroy}, then a kill by pid of a QEMU
   * libvirt lost track of, then its files.
   */
  void removeDomain(String name) {
    virsh("destroy", name);
    domainPid(name)
        .flatMap(ProcessHandle::of)
        .filter(p -> isQemuOf(p, name))
        .ifPresent(p -> Cleanup.kill(p, STOP_GRACE));
    try {
      Files.deleteIfExists(dir.resolve("log").resolve("qemu").resolve(name + ".console"));
      Files.deleteIfExists(dir.resolve("log").resolve("qemu").resolve(name + ".log"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    undo.close();
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    ExecResult last = null;
    while (System.nanoTime() < deadline) {
      if (!daemon.isAlive()) {
        throw new BenchException(
            "start libvirtd on " + host.name(),
            "it exited with status "
                + daemon.exitValue()
                + ": "
                + tail(dir.resolve("daemon.out"))
                + " "
                + tail(dir.resolve("log").resolve("libvirtd.log")));
      }
      last = virsh("version");
      if (last.ok()) {
        return;
      }
      BenchWorld.pause(READY_POLL);
    }
    throw new BenchException(
        "start libvirtd on " + host.name(),
        "no answer on "
            + uri()
            + " within "
            + READY_TIMEOUT.toSeconds()
            + " s: "
            + (last == null ? "" : last.stderr().strip()));
  }

  private Optional<Long> domainPid(String name) {
    return pidIn(dir.resolve("run").resolve("qemu").resolve(name + ".pid"));
  }

  /** Kills what libvirt left running (domain QEMUs by their pidfiles), then libvirtd. */
  private static void stop(ProcessHandle daemon, Path dir) {
    Path pids = dir.resolve("run").resolve("qemu");
    if (Files.isDirectory(pids)) {
      try (Stream<Path> files = Files.list(pids)) {
        files
            .filter(p -> p.getFileName().toString().endsWith(".pid"))
            .forEach(
                f -> {
                  String name = f.getFileName().toString().replaceFirst("\\.pid$", "");
                  pidIn(f)
                      .flatMap(ProcessHandle::of)
                      .filter(p -> isQemuOf(p, name))
                      .ifPresent(p -> Cleanup.kill(p, STOP_GRACE));
                });
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    Cleanup.kill(daemon, STOP_GRACE);
    Cleanup.deleteTree(dir);
  }

  /** Guards against a recycled pid: the process must be the QEMU of domain {@code name}. */
  private static boolean isQemuOf(ProcessHandle p, String name) {
    try {
      String cmdline =
          new String(
              Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")),
              StandardCharsets.UTF_8);
      return cmdline.contains("qemu-system") && cmdline.contains("guest=" + name + ",");
    } catch (IOException e) {
      return false;
    }
  }

  private static Optional<Long> pidIn(Path pidFile) {
    try {
      if (!Files.exists(pidFile)) {
        return Optional.empty();
      }
      return Optional.of(Long.parseLong(Files.readString(pidFile).strip()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static String tail(Path file) {
    try {
      if (!Files.exists(file)) {
        return "";
      }
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    } catch (IOException e) {
      return "(" + file + " unreadable)";
    }
  }
}
