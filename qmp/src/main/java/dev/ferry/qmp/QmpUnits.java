package dev.ferry.qmp;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.BeanSerializerModifier;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.util.NameTransformer;
import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How QMP's untyped numbers and names map to Ferry's types. QMP counts time in milliseconds unless
 * a member says otherwise (those carry a {@link Seconds} annotation), sizes in bytes and rates in
 * bytes per second; enum values are the constant names in lower kebab-case. Numbers must be JSON
 * integers: a string or fraction where an integer belongs is rejected.
 */
final class QmpUnits {

  private QmpUnits() {}

  static SimpleModule module() {
    SimpleModule module = new SimpleModule("ferry-qmp-units");
    module.addSerializer(Duration.class, new LongSerializer<>(Duration.class, Duration::toMillis));
    module.addDeserializer(
        Duration.class, new LongDeserializer<>(Duration.class, Duration::ofMillis));
    module.addSerializer(ByteSize.class, new LongSerializer<>(ByteSize.class, ByteSize::bytes));
    module.addDeserializer(ByteSize.class, new LongDeserializer<>(ByteSize.class, ByteSize::new));
    module.addSerializer(
        DataRate.class, new LongSerializer<>(DataRate.class, DataRate::bytesPerSecond));
    module.addDeserializer(
        DataRate.class, new LongDeserializer<>(DataRate.class, DataRate::ofBytesPerSecond));
    module.addSerializer(Path.class, new PathSerializer());
    // Only events carry instants, handed over by the codec as ISO-8601 text.
    module.addDeserializer(Instant.class, new InstantDeserializer());
    module.addSerializer(SocketAddress.class, new SocketAddressSerializer());
    module.setSerializerModifier(
        new BeanSerializerModifier() {
          @Override
          public JsonSerializer<?> modifyEnumSerializer(
              SerializationConfig config,
              JavaType valueType,
              BeanDescription beanDesc,
              JsonSerializer<?> serializer) {
            return isQmpEnum(valueType.getRawClass()) ? new KebabEnumSerializer() : serializer;
          }
        });
    module.setDeserializerModifier(
        new BeanDeserializerModifier() {
          @Override
          public JsonDeserializer<?> modifyEnumDeserializer(
              DeserializationConfig config,
              JavaType type,
              BeanDescription beanDesc,
              JsonDeserializer<?> deserializer) {
            Class<?> raw = type.getRawClass();
            return isQmpEnum(raw) ? new KebabEnumDeserializer(raw) : deserializer;
          }
        });
    return module;
  }

  /** The QMP spelling of an enum constant: {@code POSTCOPY_ACTIVE} is {@code postcopy-active}. */
  static String wireName(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static boolean isQmpEnum(Class<?> type) {
    return type.isEnum() && type.getPackageName().equals(QmpUnits.class.getPackageName());
  }

  private static long readLong(JsonParser p, DeserializationContext ctxt, Class<?> target)
      throws IOException {
    if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
      return (Long) ctxt.handleUnexpectedToken(Long.class, p);
    }
    return p.getLongValue();
  }

  private static <T> T convert(
      JsonParser p, DeserializationContext ctxt, Class<T> target, long value, LongFunction<T> f)
      throws IOException {
    try {
      return f.apply(value);
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw InvalidFormatException.from(p, e.getMessage(), value, target);
    }
  }

  @FunctionalInterface
  private interface LongFunction<T> {
    T apply(long value);
  }

  @FunctionalInterface
  private interface ToLong<T> {
    long apply(T value);
  }

  private static final class LongSerializer<T> extends StdSerializer<T> {
    private final transient ToLong<T> toLong;

    LongSerializer(Class<T> type, ToLong<T> toLong) {
      super(type);
      this.toLong = toLong;
    }

    @Override
    public void serialize(T value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeNumber(toLong.apply(value));
    }
  }

  private static final class LongDeserializer<T> extends StdDeserializer<T> {
    private final transient LongFunction<T> fromLong;
    private final Class<T> type;

    LongDeserializer(Class<T> type, LongFunction<T> fromLong) {
      super(type);
      this.type = type;
      this.fromLong = fromLong;
    }

    @Override
    public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      return convert(p, ctxt, type, readLong(p, ctxt, type), fromLong);
    }
  }

  /** Durations QMP counts in whole seconds ({@code calc-time}, {@code start-time}). */
  static final class Seconds {
    private Seconds() {}

    static final class Serializer extends StdSerializer<Duration> {
      Serializer() {
        super(Duration.class);
      }

      @Override
      public void serialize(Duration value, JsonGenerator gen, SerializerProvider provider)
          throws IOException {
        gen.writeNumber(value.toSeconds());
      }
    }

    static final class Deserializer extends StdDeserializer<Duration> {
      Deserializer() {
        super(Duration.class);
      }

      @Override
      public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        return convert(
            p, ctxt, Duration.class, readLong(p, ctxt, Duration.class), Duration::ofSeconds);
      }
    }
  }

  /** {@code mbps} in query-migrate: a fractional rate in megabits (10^6 bits) per second. */
  static final class MegabitsPerSecond extends StdDeserializer<DataRate> {
    private static final double BYTES_PER_MEGABIT = 1_000_000.0 / 8;

    MegabitsPerSecond() {
      super(DataRate.class);
    }

    @Override
    public DataRate deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (!p.currentToken().isNumeric()) {
        return (DataRate) ctxt.handleUnexpectedToken(DataRate.class, p);
      }
      double megabits = p.getDoubleValue();
      long bytes = Math.round(megabits * BYTES_PER_MEGABIT);
      return convert(p, ctxt, DataRate.class, bytes, DataRate::ofBytesPerSecond);
    }
  }

  /** {@code dirty-rate} in query-dirty-rate: whole MiB per second. */
  static final class MebibytesPerSecond extends StdDeserializer<DataRate> {
    MebibytesPerSecond() {
      super(DataRate.class);
    }

    @Override
    public DataRate deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      return convert(
          p,
          ctxt,
          DataRate.class,
          readLong(p, ctxt, DataRate.class),
          DataRate::ofMebibytesPerSecond);
    }
  }

  private static final class InstantDeserializer extends StdDeserializer<Instant> {
    InstantDeserializer() {
      super(Instant.class);
    }

    @Override
    public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() != JsonToken.VALUE_STRING) {
        return (Instant) ctxt.handleUnexpectedToken(Instant.class, p);
      }
      try {
        return Instant.parse(p.getText());
      } catch (DateTimeParseException e) {
        throw InvalidFormatException.from(p, e.getMessage(), p.getText(), Instant.class);
      }
    }
  }

  private static final class PathSerializer extends StdSerializer<Path> {
    PathSerializer() {
      super(Path.class);
    }

    @Override
    public void serialize(Path value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeString(value.toString());
    }
  }

  /** QAPI's {@code SocketAddress}: flat, e.g. {@code {"type":"unix","path":"/x"}}. */
  private static final class SocketAddressSerializer extends StdSerializer<SocketAddress> {
    SocketAddressSerializer() {
      super(SocketAddress.class);
    }

    @Override
    public void serialize(SocketAddress value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeStartObject();
      writeMembers(value, gen);
      gen.writeEndObject();
    }
  }

  /**
   * QAPI's {@code SocketAddressLegacy}, still used by nbd-server-start: the members sit under
   * {@code data}, e.g. {@code {"type":"unix","data":{"path":"/x"}}}.
   */
  static final class LegacySocketAddressSerializer extends StdSerializer<SocketAddress> {
    LegacySocketAddressSerializer() {
      super(SocketAddress.class);
    }

    @Override
    public void serialize(SocketAddress value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeStartObject();
      gen.writeStringField("type", typeOf(value));
      gen.writeFieldName("data");
      gen.writeStartObject();
      writeAddress(value, gen);
      gen.writeEndObject();
      gen.writeEndObject();
    }
  }

  private static String typeOf(SocketAddress address) {
    return switch (address) {
      case SocketAddress.Inet inet -> "inet";
      case SocketAddress.Unix unix -> "unix";
    };
  }

  private static void writeMembers(SocketAddress address, JsonGenerator gen) throws IOException {
    gen.writeStringField("type", typeOf(address));
    writeAddress(address, gen);
  }

  private static void writeAddress(SocketAddress address, JsonGenerator gen) throws IOException {
    switch (address) {
      case SocketAddress.Inet inet -> {
        gen.writeStringField("host", inet.host());
        // QAPI declares the port as a string (it may also be a service name).
        gen.writeStringField("port", Integer.toString(inet.port()));
      }
      case SocketAddress.Unix unix -> gen.writeStringField("path", unix.path().toString());
    }
  }

  /** Writes {@link BlockNode.Other}: fixed members, the free-form options, the common options. */
  static final class OtherBlockNodeSerializer extends StdSerializer<BlockNode.Other> {
    OtherBlockNodeSerializer() {
      super(BlockNode.Other.class);
    }

    @Override
    public void serialize(BlockNode.Other node, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeStartObject();
      gen.writeStringField("driver", node.driver());
      gen.writeStringField("node-name", node.nodeName());
      var fields = node.driverOptions().properties();
      for (var field : fields) {
        gen.writeFieldName(field.getKey());
        gen.writeTree(field.getValue());
      }
      provider
          .findValueSerializer(BlockNode.NodeOptions.class)
          .unwrappingSerializer(NameTransformer.NOP)
          .serialize(node.options(), gen, provider);
      gen.writeEndObject();
    }
  }

  private static final class KebabEnumSerializer extends StdSerializer<Enum<?>> {
    @SuppressWarnings({"unchecked", "rawtypes"})
    KebabEnumSerializer() {
      super((Class) Enum.class);
    }

    @Override
    public void serialize(Enum<?> value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeString(wireName(value));
    }
  }

  private static final class KebabEnumDeserializer extends StdDeserializer<Object> {
    private final Map<String, Object> byWireName = new HashMap<>();

    KebabEnumDeserializer(Class<?> type) {
      super(type);
      for (Object constant : type.getEnumConstants()) {
        byWireName.put(wireName((Enum<?>) constant), constant);
      }
    }

    @Override
    public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() != JsonToken.VALUE_STRING) {
        return ctxt.handleUnexpectedToken(handledType(), p);
      }
      String text = p.getText();
      Object value = byWireName.get(text);
      if (value == null) {
        throw InvalidFormatException.from(
            p, "unknown " + handledType().getSimpleName() + " '" + text + "'", text, handledType());
      }
      return value;
    }
  }
}
