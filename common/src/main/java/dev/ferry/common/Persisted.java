package dev.ferry.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The one on-disk contract for Ferry's state files (VM records, migration journals, the manager
 * binding): a one-line header naming the kind, its format version, the payload's length and its
 * CRC32C, then the payload as JSON.
 *
 * <pre>
 * ferry-state kind=vm-record version=2 length=1234 crc32c=8f3a01bc
 * {"spec": ...}
 * </pre>
 *
 * <p>Writes are durable and atomic: the bytes go to a temporary file that is fsynced, renamed over
 * the old one, and the directory is fsynced, so a crash leaves either the old or the new file,
 * never a torn one. Reads refuse what is larger than the kind's limit, what does not match its
 * checksum or length, and versions other than the current and the previous one (which is upgraded
 * through the kind's upgrade function). A file without a header is read as version 0 when the kind
 * accepts legacy files (those written before this format existed).
 *
 * <p>Thread-safe; callers serialise writes of one file themselves.
 *
 * @param <T> the payload's type
 */
public final class Persisted<T> {
  private static final String MAGIC = "ferry-state";
  private static final Pattern HEADER =
      Pattern.compile(
          "ferry-state kind=([a-z0-9-]+) version=(\\d{1,6}) length=(\\d{1,12}) crc32c=([0-9a-f]{8})");
  private static final int MAX_HEADER = 200;

  private final String kind;
  private final int version;
  private final Class<T> type;
  private final ByteSize maxSize;
  private final ObjectMapper json;
  private final Optional<UnaryOperator<JsonNode>> upgradePrevious;
  private final boolean acceptLegacy;

  private Persisted(
      String kind,
      int version,
      Class<T> type,
      ByteSize maxSize,
      ObjectMapper json,
      Optional<UnaryOperator<JsonNode>> upgradePrevious,
      boolean acceptLegacy) {
    if (!kind.matches("[a-z0-9-]+")) {
      throw new IllegalArgumentException("state kind must be lower-case letters, digits and '-'");
    }
    if (version < 1) {
      throw new IllegalArgumentException("format versions start at 1");
    }
    this.kind = kind;
    this.version = version;
    this.type = Objects.requireNonNull(type);
    this.maxSize = Objects.requireNonNull(maxSize);
    this.json = Objects.requireNonNull(json);
    this.upgradePrevious = upgradePrevious;
    this.acceptLegacy = acceptLegacy;
  }

  /** A kind of state file at format {@code version}, read and written with {@link Json#strict}. */
  public static <T> Persisted<T> of(String kind, int version, Class<T> type, ByteSize maxSize) {
    return new Persisted<>(kind, version, type, maxSize, Json.strict(), Optional.empty(), false);
  }

  /**
   * Accepts files of the previous version too, rewritten to the current one by {@code upgrade}
   * before they are bound.
   */
  public Persisted<T> upgradingPrevious(UnaryOperator<JsonNode> upgrade) {
    return new Persisted<>(kind, version, type, maxSize, json, Optional.of(upgrade), acceptLegacy);
  }

  /**
   * Accepts plain JSON files without a header (written before this format), as the previous
   * version: they pass through the upgrade function when there is one.
   */
  public Persisted<T> acceptingLegacy() {
    return new Persisted<>(kind, version, type, maxSize, json, upgradePrevious, true);
  }

  public String kind() {
    return kind;
  }

  public int version() {
    return version;
  }

  /** The bytes {@link #write} puts in a file for {@code value}. */
  public byte[] encode(T value) {
    byte[] payload;
    try {
      payload = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot encode " + kind + ": " + e.getMessage(), e);
    }
    if (payload.length > maxSize.bytes()) {
      throw new IllegalArgumentException(
          kind + " of " + ByteSize.ofBytes(payload.length) + " exceeds its limit of " + maxSize);
    }
    String header =
        String.format(
            "%s kind=%s version=%d length=%d crc32c=%08x\n",
            MAGIC, kind, version, payload.length, crc(payload));
    byte[] head = header.getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[head.length + payload.length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(payload, 0, out, head.length, payload.length);
    return out;
  }

  /** Decodes what {@link #encode} produced; {@code origin} names the source in errors. */
  public T decode(byte[] bytes, String origin) {
    if (bytes.length > maxSize.bytes() + MAX_HEADER) {
      throw new Corrupt(origin, "larger than the limit of " + maxSize + " for " + kind);
    }
    int nl = indexOf(bytes, (byte) '\n', MAX_HEADER);
    boolean headed =
        bytes.length >= MAGIC.length()
            && new String(bytes, 0, MAGIC.length(), StandardCharsets.US_ASCII).equals(MAGIC);
    if (!headed) {
      if (!acceptLegacy) {
        throw new Corrupt(origin, "no '" + MAGIC + "' header");
      }
      return bind(parse(bytes, 0, bytes.length, origin), version - 1, origin);
    }
    if (nl < 0) {
      throw new Corrupt(origin, "header line is unterminated or too long");
    }
    String header = new String(bytes, 0, nl, StandardCharsets.US_ASCII);
    Matcher m = HEADER.matcher(header);
    if (!m.matches()) {
      throw new Corrupt(origin, "malformed header '" + header + "'");
    }
    if (!m.group(1).equals(kind)) {
      throw new Corrupt(origin, "holds a " + m.group(1) + ", not a " + kind);
    }
    int fileVersion = Integer.parseInt(m.group(2));
    long length = Long.parseLong(m.group(3));
    int payloadLength = bytes.length - nl - 1;
    if (length != payloadLength) {
      throw new Corrupt(
          origin, "payload is " + payloadLength + " bytes, the header says " + length);
    }
    long expected = Long.parseLong(m.group(4), 16);
    long actual = crc(bytes, nl + 1, payloadLength);
    if (expected != actual) {
      throw new Corrupt(
          origin, String.format("checksum mismatch (header %08x, content %08x)", expected, actual));
    }
    return bind(parse(bytes, nl + 1, payloadLength, origin), fileVersion, origin);
  }

  /** Writes {@code value} to {@code file} durably and atomically (see the class doc). */
  public void write(Path file, T value) {
    byte[] bytes = encode(value);
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      syncDirectory(file.toAbsolutePath().getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + kind + " to " + file, e);
    }
  }

  /**
   * Reads {@code file}; empty when it does not exist.
   *
   * @throws Corrupt when it exists but cannot be trusted (the message names the file and why)
   */
  public Optional<T> read(Path file) {
    try {
      if (Files.size(file) > maxSize.bytes() + MAX_HEADER) {
        throw new Corrupt(file.toString(), "larger than the limit of " + maxSize + " for " + kind);
      }
      return Optional.of(decode(Files.readAllBytes(file), file.toString()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + kind + " from " + file, e);
    }
  }

  /** Removes {@code file} and makes the removal durable; true if it existed. */
  public static boolean delete(Path file) {
    try {
      boolean existed = Files.deleteIfExists(file);
      if (existed) {
        syncDirectory(file.toAbsolutePath().getParent());
      }
      return existed;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + file, e);
    }
  }

  private T bind(JsonNode node, int fileVersion, String origin) {
    JsonNode current = node;
    if (fileVersion == version - 1 && upgradePrevious.isPresent()) {
      current = upgradePrevious.get().apply(node);
    } else if (fileVersion != version) {
      throw new Corrupt(
          origin,
          kind
              + " format version "
              + fileVersion
              + " is not readable by this version of Ferry (it reads "
              + (upgradePrevious.isPresent() ? (version - 1) + " and " : "")
              + version
              + ")");
    }
    try {
      return json.treeToValue(current, type);
    } catch (JsonProcessingException e) {
      throw new Corrupt(origin, "does not hold a valid " + kind + ": " + e.getOriginalMessage());
    }
  }

  private JsonNode parse(byte[] bytes, int offset, int length, String origin) {
    try {
      JsonNode node = json.readTree(bytes, offset, length);
      if (node == null || node.isMissingNode()) {
        throw new Corrupt(origin, "is empty");
      }
      return node;
    } catch (IOException e) {
      throw new Corrupt(origin, "is not JSON: " + e.getMessage());
    }
  }

  private static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  private static int indexOf(byte[] bytes, byte b, int limit) {
    for (int i = 0; i < Math.min(bytes.length, limit); i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }

  private static long crc(byte[] bytes) {
    return crc(bytes, 0, bytes.length);
  }

  private static long crc(byte[] bytes, int offset, int length) {
    CRC32C c = new CRC32C();
    c.update(bytes, offset, length);
    return c.getValue();
  }

  /** A state file that exists but cannot be trusted; the message names it and says why. */
  public static final class Corrupt extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Corrupt(String origin, String why) {
      super(origin + ": " + why);
    }
  }
}
