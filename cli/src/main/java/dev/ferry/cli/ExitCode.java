package dev.ferry.cli;

/** What {@code ferry}'s exit status means; scripts may rely on these numbers. */
public enum ExitCode {
  OK(0),
  /** The operation was attempted and failed (agent or QEMU error). */
  FAILED(1),
  /** The command line itself is wrong. */
  USAGE(2),
  /** The VM, host or migration named does not exist. */
  NOT_FOUND(3),
  /** Valid request, wrong state (duplicate name, VM already running...). */
  CONFLICT(4),
  /** The agent refused the request's content (bad size, path outside the storage root...). */
  REJECTED(5),
  /** No agent answered at the given address. */
  UNREACHABLE(6);

  private final int code;

  ExitCode(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** The exit code for an HTTP status from the agent. */
  public static ExitCode forStatus(int status) {
    return switch (status) {
      case 404 -> NOT_FOUND;
      case 409 -> CONFLICT;
      case 400, 422 -> REJECTED;
      default -> FAILED;
    };
  }
}
