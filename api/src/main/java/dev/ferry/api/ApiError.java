package dev.ferry.api;

/**
 * The body of every error reply.
 *
 * @param status HTTP status
 * @param code a stable machine-readable word, e.g. {@code not_found}, {@code conflict}
 * @param message what went wrong, for a person
 */
public record ApiError(int status, String code, String message) {}
