package dev.ferry.api.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ferry.common.Json;
import io.javalin.http.Context;
import java.util.Locale;

/** Reads a route's JSON request body, refusing what is not one. */
final class Bodies {
  private static final String JSON = "application/json";

  private Bodies() {}

  /**
   * The body as {@code type}.
   *
   * @throws RequestRejected when the body is empty, {@code null} or not declared as JSON
   * @throws JsonProcessingException when it is malformed, has unknown fields or wrong values
   */
  static <B> B read(Context ctx, Class<B> type) throws JsonProcessingException {
    String expected = "a JSON " + type.getSimpleName();
    String contentType = ctx.contentType();
    if (contentType != null && !isJson(contentType)) {
      throw RequestRejected.unsupportedMediaType(
          "request body must be " + JSON + " (" + expected + "), not " + contentType);
    }
    String text = ctx.body();
    if (text.isBlank()) {
      throw RequestRejected.badRequest("request body is empty (expected " + expected + ")");
    }
    B value = Json.strict().readValue(text, type);
    if (value == null) {
      throw RequestRejected.badRequest("request body is null (expected " + expected + ")");
    }
    return value;
  }

  private static boolean isJson(String contentType) {
    String media = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    return media.equals(JSON);
  }
}
