package dev.ferry.bench;

import dev.ferry.testbed.ExecResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short external command to completion with its output in temporary files rather than pipes,
 * so reading it needs no reader thread: the benchmark's results must not depend on whether a reader
 * thread gets to run while guests load both CPUs (see {@link Bench#main}).
 */
public final class Commands {
  private static final Duration KILL_GRACE = Duration.ofSeconds(5);

  private Commands() {}

  /**
   * Runs {@code command}; a non-zero exit is a result, not an exception. On timeout the command is
   * killed by pid and the result says so.
   */
  public static ExecResult run(List<String> command, Duration timeout) {
    long started = System.nanoTime();
    Path out = null;
    Path err = null;
    try {
      out = Files.createTempFile("ferry-bench-", ".out");
      err = Files.createTempFile("ferry-bench-", ".err");
      Process p =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!done) {
        Cleanup.kill(p.toHandle(), KILL_GRACE);
      }
      return new ExecResult(
          command,
          done ? p.exitValue() : -1,
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8),
          Duration.ofNanos(System.nanoTime() - started),
          !done);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run `" + String.join(" ", command) + "`", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("run " + command.get(0), "interrupted", e);
    } finally {
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  private static void deleteQuietly(Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // A leftover temporary file is harmless.
    }
  }
}
