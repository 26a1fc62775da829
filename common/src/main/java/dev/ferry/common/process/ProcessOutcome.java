package dev.ferry.common.process;

import java.time.Duration;
import java.util.List;

/**
 * How a command run by {@link ProcessRunner} ended.
 *
 * @param command the full command line as run
 * @param exitCode its exit status; -1 when it timed out and was killed
 * @param stdout what it wrote to stdout (UTF-8)
 * @param stderr what it wrote to stderr (UTF-8)
 * @param elapsed how long it ran
 * @param timedOut whether it was killed for running out of time
 */
public record ProcessOutcome(
    List<String> command,
    int exitCode,
    String stdout,
    String stderr,
    Duration elapsed,
    boolean timedOut) {

  public ProcessOutcome {
    command = List.copyOf(command);
  }

  /** Exited 0 in time. */
  public boolean ok() {
    return !timedOut && exitCode == 0;
  }

  /** The command line as one string, for messages. */
  public String commandLine() {
    return String.join(" ", command);
  }

  /** What the command had to say about itself: stderr, or stdout when stderr is empty. */
  public String said() {
    return stderr.isBlank() ? stdout.strip() : stderr.strip();
  }

  /** "`cmd` exited 3: what it said", or "`cmd` timed out after 200 ms". */
  public String describe() {
    String how = timedOut ? "timed out after " + elapsed.toMillis() + " ms" : "exited " + exitCode;
    String said = said();
    return "`" + commandLine() + "` " + how + (said.isEmpty() ? "" : ": " + said);
  }

  /**
   * This outcome, if the command succeeded.
   *
   * @throws ProcessFailedException if it exited non-zero or timed out
   */
  public ProcessOutcome orThrow() {
    if (!ok()) {
      throw new ProcessFailedException(this);
    }
    return this;
  }
}
