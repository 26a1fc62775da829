package dev.ferry.lab.testbed;

import dev.ferry.common.process.ProcessOutcome;
import java.time.Duration;
import java.util.List;

/**
 * How an external command ended.
 *
 * @param command the full command line as run
 * @param exitCode its exit status; -1 if it timed out and was killed
 * @param stdout what it wrote to stdout (UTF-8)
 * @param stderr what it wrote to stderr (UTF-8)
 * @param elapsed how long it ran
 * @param timedOut whether it was killed for running out of time
 */
public record ExecResult(
    List<String> command,
    int exitCode,
    String stdout,
    String stderr,
    Duration elapsed,
    boolean timedOut) {

  public ExecResult {
    command = List.copyOf(command);
  }

  /** The testbed's view of how a command run by the shared runner ended. */
  public static ExecResult of(ProcessOutcome o) {
    return new ExecResult(
        o.command(), o.exitCode(), o.stdout(), o.stderr(), o.elapsed(), o.timedOut());
  }

  /** Exited 0 in time. */
  public boolean ok() {
    return !timedOut && exitCode == 0;
  }

  /** This result, or a {@link CommandFailedException} naming {@code step} if it did not succeed. */
  public ExecResult orThrow(String step) {
    if (!ok()) {
      throw new CommandFailedException(step, this);
    }
    return this;
  }
}
