package dev.ferry.testbed;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an external command to completion: argument lists only (never a shell line), output captured
 * on virtual threads, a hard timeout, each run logged at debug.
 *
 * <p>Stateless and thread-safe.
 */
final class Cmd {
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  /** After a kill, how long to wait for the process and its output pipes to close. */
  private static final Duration DRAIN_GRACE = Duration.ofSeconds(2);

  static final ProcessBuilder.Redirect NO_INPUT =
      ProcessBuilder.Redirect.from(new java.io.File("/dev/null"));

  private static final Logger log = LoggerFactory.getLogger(Cmd.class);

  private Cmd() {}

  /** Runs {@code command}; a non-zero exit is a result, not an exception. */
  static ExecResult run(Duration timeout, List<String> command) {
    log.debug("$ {}", String.join(" ", command));
    long started = System.nanoTime();
    Process process;
    try {
      process = new ProcessBuilder(command).redirectInput(NO_INPUT).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start `" + String.join(" ", command) + "`", e);
    }
    Drain out = Drain.start(process.getInputStream());
    Drain err = Drain.start(process.getErrorStream());
    ExecResult result;
    try {
      boolean timedOut = !process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
      if (timedOut) {
        process.destroyForcibly();
        process.waitFor(DRAIN_GRACE.toNanos(), TimeUnit.NANOSECONDS);
      }
      result =
          new ExecResult(
              command,
              timedOut ? -1 : process.exitValue(),
              out.text(),
              err.text(),
              Duration.ofNanos(System.nanoTime() - started),
              timedOut);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "interrupted while running `" + String.join(" ", command) + "`", e);
    }
    if (log.isDebugEnabled() && !result.ok()) {
      log.debug(
          "  -> {} in {} ms: {}",
          result.timedOut() ? "timeout" : "exit " + result.exitCode(),
          result.elapsed().toMillis(),
          result.stderr().strip());
    }
    return result;
  }

  /** Runs {@code command} with the default timeout and throws if it fails, naming {@code step}. */
  static ExecResult check(String step, List<String> command) {
    return run(DEFAULT_TIMEOUT, command).orThrow(step);
  }

  /** Reads one output stream to its end on a virtual thread. */
  private static final class Drain {
    private final InputStream in;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final Thread thread;

    private Drain(InputStream in) {
      this.in = in;
      this.thread = Thread.ofPlatform().daemon().name("cmd-drain").unstarted(this::pump);
    }

    static Drain start(InputStream in) {
      Drain drain = new Drain(in);
      drain.thread.start();
      return drain;
    }

    private void pump() {
      byte[] chunk = new byte[8192];
      try {
        for (int n; (n = in.read(chunk)) >= 0; ) {
          buffer.write(chunk, 0, n);
        }
      } catch (IOException e) {
        // The stream was closed under us after a timeout; keep what was read.
      }
    }

    /**
     * What was read. A process that left a child holding the pipe open would block the reader
     * forever, so wait only briefly, then close the pipe.
     */
    String text() throws InterruptedException {
      if (!thread.join(DRAIN_GRACE)) {
        try {
          in.close();
        } catch (IOException e) {
          // Nothing more to read either way.
        }
      }
      return buffer.toString(StandardCharsets.UTF_8);
    }
  }
}
