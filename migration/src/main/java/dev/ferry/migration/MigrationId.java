package dev.ferry.migration;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** A migration's identity: {@code m-} and 12 hex digits, unique enough across a cluster. */
public record MigrationId(String value) {
  private static final Pattern FORM = Pattern.compile("m-[0-9a-f]{12}");
  private static final SecureRandom RANDOM = new SecureRandom();

  public MigrationId {
    if (value == null || !FORM.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "not a migration id: '" + value + "' (expected m-<12 hex>)");
    }
  }

  @JsonCreator
  public static MigrationId parse(String value) {
    return new MigrationId(value);
  }

  public static MigrationId random() {
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    return new MigrationId("m-" + HexFormat.of().formatHex(b));
  }

  @JsonValue
  @Override
  public String value() {
    return value;
  }

  @Override
  public String toString() {
    return value;
  }
}
