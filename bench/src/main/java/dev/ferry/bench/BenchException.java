package dev.ferry.bench;

/** A step of a benchmark run failed; the message names the step and the cause. */
public final class BenchException extends RuntimeException {
  public BenchException(String step, String cause) {
    super(step + ": " + cause);
  }

  public BenchException(String step, String cause, Throwable e) {
    super(step + ": " + cause, e);
  }
}
