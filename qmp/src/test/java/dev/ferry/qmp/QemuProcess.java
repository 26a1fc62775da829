package dev.ferry.qmp;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real QEMU started as a child process for tests: a tiny TCG machine with no devices, paused
 * ({@code -S}), its QMP monitor on a UNIX socket. Closing it kills the process (by its own pid) and
 * waits for it to go.
 */
final class QemuProcess implements AutoCloseable {

  static final String BINARY_PROPERTY = "ferry.qemu";
  private static final String DEFAULT_BINARY = "qemu-system-x86_64";
  private static final Duration STARTUP = Duration.ofSeconds(15);
  private static final Duration EXIT = Duration.ofSeconds(10);

  private final Process process;
  private final Path socket;
  private final Path log;

  private QemuProcess(Process process, Path socket, Path log) {
    this.process = process;
    this.socket = socket;
    this.log = log;
  }

  /**
   * The QEMU binary: {@code -Dferry.qemu=...} or {@code qemu-system-x86_64} on the PATH. Fails the
   * test (never skips it) when there is none.
   */
  static Path binary() {
    String configured = System.getProperty(BINARY_PROPERTY);
    if (configured != null) {
      Path path = Path.of(configured);
      if (!Files.isExecutable(path)) {
        fail("-D" + BINARY_PROPERTY + "=" + configured + " is not an executable QEMU binary");
      }
      return path;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, DEFAULT_BINARY);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return fail(
        DEFAULT_BINARY
            + " was not found on the PATH: these tests need a real QEMU 7.2 (Debian: apt-get"
            + " install qemu-system-x86), or -D"
            + BINARY_PROPERTY
            + "=/path/to/qemu-system-x86_64");
  }

  /** Starts a paused VM whose QMP socket is {@code dir}/{@code name}.sock. */
  static QemuProcess start(Path dir, String name, String... extraArgs) throws IOException {
    Path socket = dir.resolve(name + ".sock");
    Path log = dir.resolve(name + ".log");
    List<String> command =
        new ArrayList<>(
            List.of(
                binary().toString(),
                "-accel",
                "tcg",
                "-machine",
                "pc",
                "-m",
                "64",
                "-nodefaults",
                "-display",
                "none",
                "-S",
                "-qmp",
                "unix:" + socket + ",server=on,wait=off"));
    command.addAll(List.of(extraArgs));
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    QemuProcess qemu = new QemuProcess(process, socket, log);
    qemu.awaitSocket();
    return qemu;
  }

  Path socket() {
    return socket;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Freezes the process (SIGSTOP to its pid): it stops reading its QMP socket. */
  void freeze() throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-STOP", Long.toString(pid())).start();
    if (!kill.waitFor(EXIT.toSeconds(), TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill -STOP " + pid() + " failed");
    }
  }

  /** SIGKILL to this QEMU's pid, and wait until it is gone. */
  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(EXIT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits for QEMU to exit on its own (e.g. after {@code quit}). */
  boolean awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  String log() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
    }
  }

  private void awaitSocket() throws IOException {
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (!Files.exists(socket)) {
      if (!process.isAlive()) {
        throw new IOException(
            "QEMU exited with "
                + process.exitValue()
                + " before opening its QMP socket:\n"
                + log());
      }
      if (System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new IOException("QEMU did not open " + socket + " within " + STARTUP + ":\n" + log());
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
        throw new IOException("interrupted while waiting for QEMU to start", e);
      }
    }
  }
}
