package dev.ferry.qmp;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns commands into QMP's JSON and QEMU's messages into typed values. The only place that sees
 * untyped JSON. Stateless and thread-safe.
 *
 * <p>Decoding is lenient about members it does not know (newer QEMUs add them) and strict about the
 * ones it does: an unknown enum value, a string where a number belongs, or a missing required
 * member is an error.
 */
final class QmpCodec {

  private static final Logger log = LoggerFactory.getLogger(QmpCodec.class);

  private static final long MICROS_PER_SECOND = 1_000_000;

  private static final Map<String, Class<? extends QmpEvent>> EVENT_TYPES =
      Map.ofEntries(
          Map.entry(QmpEvent.Stop.NAME, QmpEvent.Stop.class),
          Map.entry(QmpEvent.Resume.NAME, QmpEvent.Resume.class),
          Map.entry(QmpEvent.Shutdown.NAME, QmpEvent.Shutdown.class),
          Map.entry(QmpEvent.Powerdown.NAME, QmpEvent.Powerdown.class),
          Map.entry(QmpEvent.Reset.NAME, QmpEvent.Reset.class),
          Map.entry(QmpEvent.Migration.NAME, QmpEvent.Migration.class),
          Map.entry(QmpEvent.MigrationPass.NAME, QmpEvent.MigrationPass.class),
          Map.entry(QmpEvent.BlockJobReady.NAME, QmpEvent.BlockJobReady.class),
          Map.entry(QmpEvent.BlockJobCompleted.NAME, QmpEvent.BlockJobCompleted.class),
          Map.entry(QmpEvent.BlockJobError.NAME, QmpEvent.BlockJobError.class),
          Map.entry(QmpEvent.BlockJobCancelled.NAME, QmpEvent.BlockJobCancelled.class),
          Map.entry(QmpEvent.BlockJobPending.NAME, QmpEvent.BlockJobPending.class),
          Map.entry(QmpEvent.JobStatusChange.NAME, QmpEvent.JobStatusChange.class),
          Map.entry(QmpEvent.DeviceDeleted.NAME, QmpEvent.DeviceDeleted.class));

  private final ObjectMapper mapper =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
          .addModule(new Jdk8Module())
          .addModule(QmpUnits.module())
          .defaultPropertyInclusion(
              JsonInclude.Value.construct(
                  JsonInclude.Include.NON_ABSENT, JsonInclude.Include.NON_ABSENT))
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .build();

  /** A message from QEMU, classified by its top-level member. */
  sealed interface Inbound {}

  /** The first message of a connection. */
  record Greeting(QmpGreeting greeting) implements Inbound {}

  /** A successful reply; {@code id} is null if QEMU could not tell which request it answers. */
  record Reply(JsonNode id, JsonNode value) implements Inbound {}

  record ErrorReply(JsonNode id, String errorClass, String description) implements Inbound {}

  record Event(QmpEvent event) implements Inbound {}

  /** Valid JSON that is no QMP message this client knows. */
  record Unrecognized(String why) implements Inbound {}

  /** Thrown when bytes from QEMU are no QMP message at all; the stream cannot be trusted. */
  static final class ViolationException extends Exception {
    ViolationException(String message) {
      super(message);
    }
  }

  /** The wire form of a request: one JSON object and a newline. */
  byte[] encodeRequest(long id, QmpCommand<?> command) {
    ObjectNode request = mapper.createObjectNode();
    request.put("execute", command.commandName());
    Object arguments = command.arguments();
    if (arguments != null) {
      request.set("arguments", mapper.valueToTree(arguments));
    }
    request.put("id", id);
    try {
      byte[] json = mapper.writeValueAsBytes(request);
      byte[] line = new byte[json.length + 1];
      System.arraycopy(json, 0, line, 0, json.length);
      line[json.length] = '\n';
      return line;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "cannot encode QMP command '" + command.commandName() + "': " + e.getOriginalMessage(),
          e);
    }
  }

  /** The JSON tree of a value, as it would be sent (for tests and logs). */
  JsonNode toTree(Object value) {
    return mapper.valueToTree(value);
  }

  Inbound decode(byte[] message) throws ViolationException {
    JsonNode tree;
    try {
      tree = mapper.readTree(message);
    } catch (IOException e) {
      throw new ViolationException("not JSON: " + firstLine(e));
    }
    if (tree == null || !tree.isObject()) {
      throw new ViolationException("not a JSON object: " + abbreviate(String.valueOf(tree)));
    }
    if (tree.has("QMP")) {
      return greeting(tree.get("QMP"));
    }
    if (tree.has("event")) {
      return event(tree);
    }
    if (tree.has("return")) {
      return new Reply(tree.get("id"), tree.get("return"));
    }
    if (tree.has("error")) {
      JsonNode error = tree.get("error");
      return new ErrorReply(
          tree.get("id"), error.path("class").asText("?"), error.path("desc").asText(""));
    }
    return new Unrecognized("no QMP, event, return or error member: " + abbreviate(tree));
  }

  /**
   * Decodes a reply value.
   *
   * @throws IOException when the value does not fit the reply type
   */
  <R> R decodeReply(JsonNode value, ReplyType<R> type) throws IOException {
    if (type.isNone()) {
      return null;
    }
    try {
      return mapper.readerFor(type.javaType()).readValue(value);
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private Inbound greeting(JsonNode body) throws ViolationException {
    try {
      QemuVersion version = mapper.treeToValue(body.get("version"), QemuVersion.class);
      List<String> capabilities =
          mapper.readerForListOf(String.class).readValue(body.path("capabilities"));
      return new Greeting(new QmpGreeting(version, capabilities));
    } catch (IOException | IllegalArgumentException | NullPointerException e) {
      throw new ViolationException("malformed greeting: " + firstLine(e));
    }
  }

  private Inbound event(JsonNode message) {
    String name = message.get("event").asText();
    Instant timestamp = timestamp(message.get("timestamp"));
    if (timestamp == null) {
      return new Unrecognized("event " + name + " without a valid timestamp");
    }
    JsonNode data = message.has("data") ? message.get("data") : mapper.createObjectNode();
    Class<? extends QmpEvent> type = EVENT_TYPES.get(name);
    if (type == null) {
      return new Event(new QmpEvent.Unknown(name, timestamp, data));
    }
    if (!data.isObject()) {
      log.warn("QMP event {} has non-object data; delivering it as Unknown: {}", name, data);
      return new Event(new QmpEvent.Unknown(name, timestamp, data));
    }
    // The records take QEMU's timestamp as their first component: hand it over as a member.
    ObjectNode withTimestamp = ((ObjectNode) data).deepCopy();
    withTimestamp.put("timestamp", timestamp.toString());
    try {
      return new Event(mapper.readerFor(type).readValue(withTimestamp));
    } catch (IOException | IllegalArgumentException | NullPointerException e) {
      log.warn(
          "QMP event {} does not match its type; delivering it as Unknown: {}", name, firstLine(e));
      return new Event(new QmpEvent.Unknown(name, timestamp, data));
    }
  }

  /** QEMU's {@code {"seconds": s, "microseconds": us}}; null when absent or malformed. */
  static Instant timestamp(JsonNode node) {
    if (node == null
        || !node.path("seconds").canConvertToLong()
        || !node.path("microseconds").canConvertToLong()) {
      return null;
    }
    long seconds = node.get("seconds").asLong();
    long micros = node.get("microseconds").asLong();
    if (seconds < 0 || micros < 0 || micros >= MICROS_PER_SECOND) {
      return null;
    }
    return Instant.ofEpochSecond(seconds, micros * 1_000);
  }

  static String abbreviate(Object value) {
    String text = String.valueOf(value);
    int limit = 200;
    return text.length() <= limit ? text : text.substring(0, limit) + "...";
  }

  /** The first line of an exception's message, without Jackson's source location. */
  static String firstLine(Throwable e) {
    String message =
        e instanceof JacksonException je && je.getOriginalMessage() != null
            ? je.getOriginalMessage()
            : String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
