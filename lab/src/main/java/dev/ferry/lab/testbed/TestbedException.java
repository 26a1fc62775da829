package dev.ferry.lab.testbed;

/**
 * A testbed operation failed. {@link #step()} names what was being done ("create bridge br0 in
 * ftb-host-a", "await agent on host-b"); the message repeats it and adds the cause.
 */
public sealed class TestbedException extends RuntimeException
    permits CommandFailedException, AgentNotReadyException {

  private final String step;
  private final String detail;

  public TestbedException(String step, String detail) {
    this(step, detail, null);
  }

  public TestbedException(String step, String detail, Throwable cause) {
    super(step + ": " + detail, cause);
    this.step = step;
    this.detail = detail;
  }

  /** What the testbed was doing when it failed. */
  public String step() {
    return step;
  }

  /** What went wrong, without the step. */
  public String detail() {
    return detail;
  }
}
