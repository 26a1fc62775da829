package dev.ferry.agent;

import dev.ferry.api.http.ErrorReply;

/**
 * A request the agent cannot carry out. Each kind maps to one HTTP status; the message names the
 * problem for the operator. Throwing one must leave the agent's state unchanged.
 */
public sealed class AgentException extends RuntimeException implements ErrorReply {
  private final int status;
  private final String code;

  private AgentException(int status, String code, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.code = code;
  }

  @Override
  public int status() {
    return status;
  }

  @Override
  public String code() {
    return code;
  }

  /** The request itself is wrong (400). */
  public static final class BadRequest extends AgentException {
    public BadRequest(String message) {
      super(400, "bad_request", message, null);
    }
  }

  /** No such thing (404). */
  public static final class NotFound extends AgentException {
    public NotFound(String message) {
      super(404, "not_found", message, null);
    }
  }

  /** Valid request, wrong moment: duplicate name, VM in the wrong state (409). */
  public static final class Conflict extends AgentException {
    public Conflict(String message) {
      super(409, "conflict", message, null);
    }
  }

  /** What the request needs existed and is gone for good, e.g. the QEMU a migration ran in: 410. */
  public static final class Gone extends AgentException {
    public Gone(String message) {
      super(410, "gone", message, null);
    }
  }

  /** A bounded resource is in use up to its limit; the caller may try again later: 429. */
  public static final class TooMany extends AgentException {
    public TooMany(String message) {
      super(429, "too_many", message, null);
    }
  }

  /** A dependency (the manager) cannot be asked now: 503. */
  public static final class Unavailable extends AgentException {
    public Unavailable(String message) {
      super(503, "unavailable", message, null);
    }
  }

  /** The host failed to do it: QEMU refused to start, a tap could not be made (500). */
  public static final class Failed extends AgentException {
    public Failed(String message, Throwable cause) {
      super(500, "failed", message, cause);
    }
  }
}
