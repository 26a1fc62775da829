package dev.ferry.api.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An API token, {@code ferry_<id>_<secret>}: the id names the token in stores and logs, the secret
 * (32 random bytes) is never stored, only its SHA-256. {@link #toString()} shows the id only.
 */
public record BearerToken(String id, String secret) {
  private static final Pattern FORM = Pattern.compile("ferry_([0-9a-f]{12})_([A-Za-z0-9_-]{43})");
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Where a client looks for its token when none is given, in this order. */
  public static final String ENV_TOKEN = "FERRY_TOKEN";

  public static final String ENV_TOKEN_FILE = "FERRY_TOKEN_FILE";

  public BearerToken {
    if (id == null || secret == null || !FORM.matcher("ferry_" + id + "_" + secret).matches()) {
      throw new IllegalArgumentException("not a Ferry token");
    }
  }

  /** A new random token. */
  public static BearerToken generate() {
    byte[] id = new byte[6];
    byte[] secret = new byte[32];
    RANDOM.nextBytes(id);
    RANDOM.nextBytes(secret);
    return new BearerToken(
        HexFormat.of().formatHex(id),
        Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
  }

  /** Reads {@code ferry_<id>_<secret>}; refuses anything else without echoing it. */
  public static BearerToken parse(String text) {
    Matcher m = FORM.matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException("not a Ferry token (expected ferry_<id>_<secret>)");
    }
    return new BearerToken(m.group(1), m.group(2));
  }

  /** Reads a token file (one line, mode 0600 by convention). */
  public static BearerToken read(Path file) {
    try {
      return parse(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the token file " + file, e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("token file " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The token a client presents when none is given: {@code $FERRY_TOKEN}, the file named by {@code
   * $FERRY_TOKEN_FILE}, or {@code ~/.config/ferry/token}; empty when none is set.
   */
  public static Optional<BearerToken> fromEnvironment() {
    String inline = System.getenv(ENV_TOKEN);
    if (inline != null && !inline.isBlank()) {
      return Optional.of(parse(inline));
    }
    String file = System.getenv(ENV_TOKEN_FILE);
    if (file != null && !file.isBlank()) {
      return Optional.of(read(Path.of(file)));
    }
    Path home = Path.of(System.getProperty("user.home"), ".config", "ferry", "token");
    return Files.isReadable(home) ? Optional.of(read(home)) : Optional.empty();
  }

  /** The whole token, to send or to show once to its owner. */
  public String text() {
    return "ferry_" + id + "_" + secret;
  }

  /** The value of an {@code Authorization} header. */
  public String header() {
    return "Bearer " + text();
  }

  /** The SHA-256 of the secret, as stores keep it. */
  public String digest() {
    return digest(secret);
  }

  static String digest(String secret) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "ferry_" + id + "_…";
  }
}
