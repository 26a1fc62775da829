package dev.ferry.manager.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.common.Json;
import java.time.Instant;
import java.util.Optional;

/** JSON columns and epoch-millisecond times, the two encodings the schema uses. */
final class Codec {
  private static final ObjectMapper JSON = Json.lenient();

  private Codec() {}

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
    }
  }

  static <T> Optional<T> fromJson(String text, Class<T> type) {
    if (text == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(text, type));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "unreadable " + type.getSimpleName() + " in the inventory", e);
    }
  }

  static Long millis(Optional<Instant> at) {
    return at.map(Instant::toEpochMilli).orElse(null);
  }

  static Optional<Instant> instant(java.sql.ResultSet rs, String column)
      throws java.sql.SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(v));
  }
}
