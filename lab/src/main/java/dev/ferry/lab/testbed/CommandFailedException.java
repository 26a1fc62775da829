package dev.ferry.lab.testbed;

import java.util.List;

/** An external command ({@code ip}, {@code tc}, ...) exited non-zero or ran out of time. */
public final class CommandFailedException extends TestbedException {

  private final transient ExecResult result;

  CommandFailedException(String step, ExecResult result) {
    super(step, describe(result));
    this.result = result;
  }

  /** What the command printed and how it ended. */
  public ExecResult result() {
    return result;
  }

  public List<String> command() {
    return result.command();
  }

  public String stderr() {
    return result.stderr();
  }

  private static String describe(ExecResult r) {
    String how =
        r.timedOut()
            ? "timed out after " + r.elapsed().toMillis() + " ms"
            : "exited " + r.exitCode();
    String said = r.stderr().isBlank() ? r.stdout().strip() : r.stderr().strip();
    return "`" + String.join(" ", r.command()) + "` " + how + (said.isEmpty() ? "" : ": " + said);
  }
}
