package dev.ferry.api.http;

/**
 * A request the REST server refuses before any handler runs: a bad query parameter, an empty or
 * non-JSON body. The message names the parameter or what the body should have been.
 */
public final class RequestRejected extends RuntimeException implements ErrorReply {
  private final int status;
  private final String code;

  private RequestRejected(int status, String code, String message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  /** 400: the request itself is wrong. */
  public static RequestRejected badRequest(String message) {
    return new RequestRejected(400, "bad_request", message);
  }

  /** 401: no credentials, or ones this server does not accept. */
  static RequestRejected unauthorized(String message) {
    return new RequestRejected(401, "unauthorized", message);
  }

  /** 403: the caller is known, but its role does not cover the route. */
  static RequestRejected forbidden(String message) {
    return new RequestRejected(403, "forbidden", message);
  }

  /** 415: the body is not JSON. */
  static RequestRejected unsupportedMediaType(String message) {
    return new RequestRejected(415, "unsupported_media_type", message);
  }

  @Override
  public int status() {
    return status;
  }

  @Override
  public String code() {
    return code;
  }
}
