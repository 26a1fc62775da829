package dev.ferry.common.process;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a short external command to completion: an argument list only (never a shell line), stdin
 * empty, stdout and stderr captured, and a hard timeout measured from the start.
 *
 * <p>The timeout is real because the output is read on two drain threads while the caller only
 * waits for the exit: a child that hangs with its output open is killed at the deadline, together
 * with whatever it started, and the outcome says it timed out. The drains are platform threads: a
 * virtual thread blocked reading a pipe pins its carrier, and a few of them would starve every
 * other virtual thread of a small machine.
 *
 * <p>Stateless and thread-safe; each call blocks the calling thread until the command ends.
 */
public final class ProcessRunner {
  /** After a kill, how long to wait for the process and its output pipes to close. */
  private static final Duration DRAIN_GRACE = Duration.ofSeconds(2);

  private static final ProcessBuilder.Redirect NO_INPUT =
      ProcessBuilder.Redirect.from(new File("/dev/null"));

  private static final Logger log = LoggerFactory.getLogger(ProcessRunner.class);

  private ProcessRunner() {}

  /**
   * Runs {@code command}; a non-zero exit or a timeout is an outcome, not an exception.
   *
   * @throws UncheckedIOException when the command cannot be started (no such program)
   * @throws CancellationException when the calling thread is interrupted; the command is killed and
   *     the thread's interrupt flag stays set
   */
  public static ProcessOutcome run(Duration timeout, List<String> command) {
    String line = String.join(" ", command);
    log.debug("$ {}", line);
    long started = System.nanoTime();
    Process process;
    try {
      process = new ProcessBuilder(command).redirectInput(NO_INPUT).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start `" + line + "`: " + e.getMessage(), e);
    }
    Drain out = Drain.start(process.getInputStream(), command.get(0));
    Drain err = Drain.start(process.getErrorStream(), command.get(0));
    ProcessOutcome outcome;
    try {
      boolean timedOut = !process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
      if (timedOut) {
        killTree(process);
        process.waitFor(DRAIN_GRACE.toNanos(), TimeUnit.NANOSECONDS);
      }
      outcome =
          new ProcessOutcome(
              command,
              timedOut ? -1 : process.exitValue(),
              out.text(),
              err.text(),
              Duration.ofNanos(System.nanoTime() - started),
              timedOut);
    } catch (InterruptedException e) {
      killTree(process);
      out.close();
      err.close();
      Thread.currentThread().interrupt();
      CancellationException cancelled =
          new CancellationException("interrupted while running `" + line + "`");
      cancelled.initCause(e);
      throw cancelled;
    }
    if (log.isDebugEnabled() && !outcome.ok()) {
      log.debug(
          "  -> {} in {} ms: {}",
          outcome.timedOut() ? "timeout" : "exit " + outcome.exitCode(),
          outcome.elapsed().toMillis(),
          outcome.said());
    }
    return outcome;
  }

  /** {@link #run(Duration, List)} with the command given as words. */
  public static ProcessOutcome run(Duration timeout, String... command) {
    return run(timeout, List.of(command));
  }

  /** Kills the process and everything it started, so no grandchild keeps the pipes open. */
  private static void killTree(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  /** Reads one output stream to its end on a thread of its own. */
  private static final class Drain {
    private final InputStream in;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final Thread thread;

    private Drain(InputStream in, String program) {
      this.in = in;
      this.thread = Thread.ofPlatform().daemon().name("drain-" + program).unstarted(this::pump);
    }

    static Drain start(InputStream in, String program) {
      Drain drain = new Drain(in, program);
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
        close();
        thread.join(DRAIN_GRACE);
      }
      return buffer.toString(StandardCharsets.UTF_8);
    }

    void close() {
      try {
        in.close();
      } catch (IOException e) {
        // Nothing more to read either way.
      }
    }
  }
}
