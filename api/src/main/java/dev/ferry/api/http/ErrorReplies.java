package dev.ferry.api.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import dev.ferry.api.AgentUnreachableException;
import dev.ferry.api.ApiError;
import dev.ferry.api.ApiException;
import dev.ferry.api.ManagerUnreachableException;
import io.javalin.http.HttpResponseException;

/**
 * The one mapping from an exception to the {@link ApiError} a REST server answers with. Pure;
 * {@link RestServer} logs the 500s.
 *
 * <pre>
 * ErrorReply (AgentException, ManagerException, RequestRejected)  its status and code
 * ApiException (a peer's error, passed on)                       the peer's status and code
 * AgentUnreachableException / ManagerUnreachableException         502 agent_unreachable / manager_unreachable
 * JsonProcessingException (the request body)                      400 bad_request, naming the field
 * IllegalArgumentException                                        400 bad_request
 * Javalin's HttpResponseException                                 its status, http_STATUS
 * anything else                                                   500 internal
 * </pre>
 */
final class ErrorReplies {
  private ErrorReplies() {}

  static ApiError of(Throwable e) {
    return switch (e) {
      case ErrorReply r -> new ApiError(r.status(), r.code(), r.getMessage());
      case ApiException a -> new ApiError(a.error().status(), a.error().code(), a.getMessage());
      case AgentUnreachableException u -> new ApiError(502, "agent_unreachable", u.getMessage());
      case ManagerUnreachableException u ->
          new ApiError(502, "manager_unreachable", u.getMessage());
      case JsonProcessingException j -> new ApiError(400, "bad_request", describe(j));
      case IllegalArgumentException i -> new ApiError(400, "bad_request", i.getMessage());
      case HttpResponseException h ->
          new ApiError(h.getStatus(), "http_" + h.getStatus(), h.getMessage());
      default -> new ApiError(500, "internal", e.toString());
    };
  }

  /** A JSON problem as a sentence naming the field, without Jackson's internals. */
  static String describe(JsonProcessingException e) {
    String where =
        e instanceof MismatchedInputException m && !m.getPath().isEmpty()
            ? " at '"
                + String.join(
                    ".",
                    m.getPath().stream()
                        .map(
                            r ->
                                r.getFieldName() != null
                                    ? r.getFieldName()
                                    : Integer.toString(r.getIndex()))
                        .toList())
                + "'"
            : "";
    return switch (e) {
      case UnrecognizedPropertyException u ->
          "unknown field '" + u.getPropertyName() + "' in request" + where;
      case ValueInstantiationException v -> "invalid value" + where + ": " + rootMessage(v);
      case InvalidFormatException f ->
          "invalid value '" + f.getValue() + "'" + where + ": " + rootMessage(f);
      case MismatchedInputException m -> "wrong type of value" + where;
      default -> "malformed JSON: " + e.getOriginalMessage();
    };
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage();
  }
}
