package dev.ferry.qemu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts QEMU as a daemon ({@code -daemonize}) so that it does not depend on the agent: the agent
 * may restart, crash or be upgraded while the guest keeps running. QEMU's parent process exits once
 * the VM is set up (QMP socket listening, pidfile written), which is when {@link #launch} returns.
 * Also finds a still-running QEMU again from its pidfile.
 */
public final class QemuLauncher {
  private static final Logger log = LoggerFactory.getLogger(QemuLauncher.class);
  private static final int LOG_TAIL_LINES = 12;

  private QemuLauncher() {}

  /**
   * Runs the command line and returns the daemon's process.
   *
   * @throws QemuException with QEMU's own error message when it refuses to start
   */
  public static ProcessHandle launch(
      List<String> commandLine, RuntimePaths paths, Duration timeout) {
    try {
      Files.createDirectories(paths.dir());
      Files.deleteIfExists(paths.pidFile());
      Files.deleteIfExists(paths.qmpSocket());
      log.debug("Starting QEMU: {}", String.join(" ", commandLine));
      // Not the shared ProcessRunner: QEMU daemonises and goes on writing to qemu.log after the
      // launcher exits, so its output goes to the file rather than to pipes someone must drain.
      Process parent =
          new ProcessBuilder(commandLine)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(paths.qemuLog().toFile()))
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .start();
      if (!parent.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        parent.destroyForcibly();
        throw new QemuException(
            "QEMU did not finish starting within " + timeout.toSeconds() + " s; " + tail(paths));
      }
      if (parent.exitValue() != 0) {
        throw new QemuException(
            "QEMU refused to start (exit " + parent.exitValue() + "): " + tail(paths));
      }
      return runningFromPidFile(paths)
          .orElseThrow(
              () -> new QemuException("QEMU started but left no live pid in " + paths.pidFile()));
    } catch (IOException e) {
      throw new QemuException("cannot start QEMU: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QemuException("interrupted while starting QEMU", e);
    }
  }

  /**
   * The QEMU process named by the pidfile, if it is alive and is really the one for this VM (its
   * command line carries {@code marker}, e.g. the VM's UUID), so a recycled pid is never adopted.
   */
  public static Optional<ProcessHandle> find(RuntimePaths paths, String marker) {
    return runningFromPidFile(paths)
        .filter(p -> commandLine(p.pid()).map(c -> c.contains(marker)).orElse(false));
  }

  private static Optional<ProcessHandle> runningFromPidFile(RuntimePaths paths) {
    try {
      if (!Files.exists(paths.pidFile())) {
        return Optional.empty();
      }
      long pid = Long.parseLong(Files.readString(paths.pidFile()).strip());
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    } catch (IOException | NumberFormatException e) {
      log.warn("Unreadable pidfile {}: {}", paths.pidFile(), e.toString());
      return Optional.empty();
    }
  }

  /** The NUL-separated arguments of a process, joined by spaces. */
  static Optional<String> commandLine(long pid) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      return Optional.of(new String(raw, StandardCharsets.UTF_8).replace('\0', ' '));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The last lines QEMU wrote, for error messages. */
  public static String tail(RuntimePaths paths) {
    try {
      if (!Files.exists(paths.qemuLog())) {
        return "(no QEMU log)";
      }
      List<String> lines = Files.readAllLines(paths.qemuLog(), StandardCharsets.UTF_8);
      return String.join(
              " | ", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()))
          .strip();
    } catch (IOException e) {
      return "(QEMU log unreadable: " + e.getMessage() + ")";
    }
  }
}
