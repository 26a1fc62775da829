package dev.ferry.common.process;

/** A command exited non-zero or ran out of time; the message names it and what it said. */
public final class ProcessFailedException extends RuntimeException {
  private final transient ProcessOutcome outcome;

  public ProcessFailedException(ProcessOutcome outcome) {
    super(outcome.describe());
    this.outcome = outcome;
  }

  /** How the command ended, with its full output. */
  public ProcessOutcome outcome() {
    return outcome;
  }
}
