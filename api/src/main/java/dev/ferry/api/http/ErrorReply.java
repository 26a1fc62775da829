package dev.ferry.api.http;

/**
 * An exception that knows how a REST server answers it: the HTTP status and the stable {@link
 * dev.ferry.api.ApiError#code() code}; the exception's message becomes the error's message. The
 * agent's and the manager's request exceptions implement it, so {@link RestServer} maps them
 * without knowing them.
 */
public interface ErrorReply {
  /** The HTTP status to answer with, 4xx or 5xx. */
  int status();

  /** A stable machine-readable word, such as {@code not_found}. */
  String code();

  /** What went wrong, for a person. */
  String getMessage();
}
