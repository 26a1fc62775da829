package dev.ferry.qmp;

import java.time.Duration;

/**
 * Everything that can go wrong talking QMP. Unchecked, so callers decide where to handle it; the
 * subclasses say what happened, and every message names the operation and the cause, e.g. {@code
 * QMP command 'migrate' failed: GenericError: Parameter 'uri' expects a valid migration protocol}.
 *
 * <p>Futures returned by {@link QmpClient} fail with these (wrapped in a {@code
 * CompletionException} by {@code join()}); the blocking {@link QmpClient#call} throws them as is.
 */
public abstract sealed class QmpException extends RuntimeException {

  private final String operation;

  QmpException(String operation, String message, Throwable cause) {
    super("QMP " + operation + " " + message, cause);
    this.operation = operation;
  }

  /** What was being done, e.g. {@code command 'migrate'} or {@code wait for event STOP}. */
  public String operation() {
    return operation;
  }

  static String commandOperation(String name) {
    return "command '" + name + "'";
  }

  /** QEMU executed the command and answered with an error. The connection is still usable. */
  public static final class CommandFailed extends QmpException {
    private final String command;
    private final QmpErrorClass errorClass;
    private final String errorClassName;
    private final String description;

    CommandFailed(String command, String errorClassName, String description) {
      super(commandOperation(command), "failed: " + errorClassName + ": " + description, null);
      this.command = command;
      this.errorClass = QmpErrorClass.fromWireName(errorClassName);
      this.errorClassName = errorClassName;
      this.description = description;
    }

    /** The QMP command name, e.g. {@code migrate}. */
    public String command() {
      return command;
    }

    public QmpErrorClass errorClass() {
      return errorClass;
    }

    /** The error class exactly as QEMU sent it (useful when {@link #errorClass()} is OTHER). */
    public String errorClassName() {
      return errorClassName;
    }

    /** QEMU's human-readable description. */
    public String description() {
      return description;
    }
  }

  /**
   * No answer in time. For a command the connection stays usable; a late reply is dropped. QEMU may
   * still execute the command.
   */
  public static final class Timeout extends QmpException {
    private final Duration timeout;

    Timeout(String operation, Duration timeout) {
      super(operation, "timed out after " + timeout, null);
      this.timeout = timeout;
    }

    public Duration timeout() {
      return timeout;
    }
  }

  /**
   * The connection is gone (or never came up), so the operation cannot complete. Every pending
   * command fails with this as soon as the connection ends, and later sends fail at once.
   */
  public static final class Disconnected extends QmpException {
    private final CloseReason reason;

    Disconnected(String operation, CloseReason reason) {
      super(operation, "failed: connection lost: " + reason.describe(), causeOf(reason));
      this.reason = reason;
    }

    public CloseReason reason() {
      return reason;
    }

    private static Throwable causeOf(CloseReason reason) {
      return reason instanceof CloseReason.IoFailure io ? io.error() : null;
    }
  }

  /**
   * QEMU said something this client cannot understand. Either the stream itself is broken (then the
   * connection is closed with {@link CloseReason.ProtocolViolation} and every pending command fails
   * with this), or one reply did not match its command's reply type (then only that command fails
   * and the connection stays usable).
   */
  public static final class ProtocolError extends QmpException {
    ProtocolError(String operation, String detail, Throwable cause) {
      super(operation, "failed: protocol error: " + detail, cause);
    }
  }

  /**
   * The calling thread was interrupted while waiting in {@link QmpClient#call}. Its interrupt flag
   * is set again; the command may still run in QEMU.
   */
  public static final class Interrupted extends QmpException {
    Interrupted(String operation, InterruptedException cause) {
      super(operation, "interrupted while waiting for the reply", cause);
    }
  }
}
