package dev.ferry.api.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ferry.common.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every call that may change something (any method but GET), one JSON line each: when, who (the
 * token's name and role), what (method and path) and the outcome (the reply's status), appended to
 * a file. Thread-safe.
 */
public final class AuditLog {
  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);

  /** One line of the log. */
  public record Entry(Instant at, String who, Role role, String method, String path, int status) {}

  private final Path file;

  private AuditLog(Path file) {
    this.file = file;
  }

  /** A log appending to {@code file} (created with its directory). */
  public static AuditLog toFile(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot create the audit log's directory", e);
    }
    return new AuditLog(file);
  }

  public Path file() {
    return file;
  }

  /** Appends one entry; a log that cannot be written is reported, the call is not undone. */
  public synchronized void record(Entry e) {
    try {
      Files.writeString(
          file,
          Json.strict().writeValueAsString(e) + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException(ex);
    } catch (IOException ex) {
      log.error("Cannot append to the audit log {}: {} ({})", file, ex.toString(), e);
    }
  }
}
