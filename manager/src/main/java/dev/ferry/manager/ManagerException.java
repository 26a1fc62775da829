package dev.ferry.manager;

import dev.ferry.api.http.ErrorReply;

/** A manager request that cannot be carried out; {@code status} is the HTTP status to answer. */
public final class ManagerException extends RuntimeException implements ErrorReply {
  private final int status;

  public ManagerException(int status, String message) {
    super(message);
    this.status = status;
  }

  @Override
  public int status() {
    return status;
  }

  /** Every manager refusal has the one code {@code manager}; the status says which kind. */
  @Override
  public String code() {
    return "manager";
  }
}
