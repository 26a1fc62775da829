package dev.ferry.manager;

/** A manager request that cannot be carried out; {@code status} is the HTTP status to answer. */
public final class ManagerException extends RuntimeException {
  private final int status;

  public ManagerException(int status, String message) {
    super(message);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
