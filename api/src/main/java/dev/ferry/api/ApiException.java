package dev.ferry.api;

/** The agent answered with an error; {@link #error()} says which and why. */
public class ApiException extends RuntimeException {
  private final transient ApiError error;

  public ApiException(ApiError error) {
    super(error.message());
    this.error = error;
  }

  public ApiError error() {
    return error;
  }

  public int status() {
    return error.status();
  }
}
