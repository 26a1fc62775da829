package dev.ferry.api.auth;

import dev.ferry.common.ByteSize;
import dev.ferry.common.Persisted;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tokens a server accepts, in a state file (a {@link Persisted} {@code tokens} file, mode
 * 0600): per token its id, name, role and the SHA-256 of its secret, never the secret. The file is
 * read again when it changes, so a token added or removed with {@code ferry token} takes effect on
 * the next request. Thread-safe.
 */
public final class TokenStore {
  private static final Logger log = LoggerFactory.getLogger(TokenStore.class);
  static final Persisted<Tokens> FORMAT =
      Persisted.of("tokens", 1, Tokens.class, ByteSize.ofMiB(1));

  /** The file's content. */
  public record Tokens(List<Entry> tokens) {
    public Tokens {
      tokens = List.copyOf(tokens == null ? List.of() : tokens);
    }
  }

  /** One accepted token. */
  public record Entry(String id, String name, Role role, String sha256, Instant created) {
    public Entry {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(role, "role");
      Objects.requireNonNull(sha256, "sha256");
    }
  }

  private final Path file;
  private Tokens tokens;
  private FileTime readAt;

  private TokenStore(Path file, Tokens tokens, FileTime readAt) {
    this.file = file;
    this.tokens = tokens;
    this.readAt = readAt;
  }

  /**
   * Opens the store in {@code file}; a missing file is an empty store (every token refused).
   *
   * @throws Persisted.Corrupt when the file exists but cannot be trusted
   */
  public static TokenStore open(Path file) {
    return new TokenStore(file, FORMAT.read(file).orElse(new Tokens(List.of())), modified(file));
  }

  /**
   * The secure default of a server given no token store: {@code file} is created with one {@code
   * admin} token, whose whole text is written to {@code adminTokenFile} (mode 0600) for the
   * operator; both are kept as they are when they exist.
   */
  public static TokenStore openOrInit(Path file, Path adminTokenFile) {
    if (Files.exists(file)) {
      return open(file);
    }
    TokenStore store = new TokenStore(file, new Tokens(List.of()), null);
    BearerToken admin = store.add("admin", Role.ADMIN);
    writeSecret(adminTokenFile, admin);
    log.warn(
        "No token store was given: created {} with an admin token, saved in {} (mode 0600)",
        file,
        adminTokenFile);
    return store;
  }

  /** Writes a token's whole text to a new file only its owner can read. */
  public static void writeSecret(Path target, BearerToken token) {
    try {
      Files.createDirectories(target.toAbsolutePath().getParent());
      Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
      Files.deleteIfExists(tmp);
      Files.createFile(
          tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tmp, token.text() + "\n", StandardCharsets.US_ASCII);
      Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the token to " + target, e);
    }
  }

  /** Adds a token named {@code name} with {@code role}; returns it (its secret is shown once). */
  public synchronized BearerToken add(String name, Role role) {
    if (name == null || !name.matches("[a-z0-9][a-z0-9._-]{0,39}")) {
      throw new IllegalArgumentException(
          "token name '"
              + name
              + "' is invalid: use 1-40 lower-case letters, digits, '.', '_', '-'");
    }
    refresh();
    if (tokens.tokens().stream().anyMatch(e -> e.name().equals(name))) {
      throw new IllegalArgumentException("a token named '" + name + "' exists already");
    }
    BearerToken token = BearerToken.generate();
    List<Entry> next = new ArrayList<>(tokens.tokens());
    next.add(new Entry(token.id(), name, role, token.digest(), Instant.now()));
    save(new Tokens(next));
    return token;
  }

  /** Removes the token named {@code name}; false when there is none. */
  public synchronized boolean remove(String name) {
    refresh();
    List<Entry> next = tokens.tokens().stream().filter(e -> !e.name().equals(name)).toList();
    if (next.size() == tokens.tokens().size()) {
      return false;
    }
    save(new Tokens(next));
    return true;
  }

  /** The accepted tokens, without secrets. */
  public synchronized List<Entry> entries() {
    refresh();
    return tokens.tokens();
  }

  /** Who presents {@code token}, or empty when this store does not accept it. */
  public synchronized Optional<Principal> verify(BearerToken token) {
    refresh();
    byte[] presented = token.digest().getBytes(StandardCharsets.US_ASCII);
    for (Entry e : tokens.tokens()) {
      if (e.id().equals(token.id())
          && MessageDigest.isEqual(e.sha256().getBytes(StandardCharsets.US_ASCII), presented)) {
        return Optional.of(new Principal(e.name(), e.role()));
      }
    }
    return Optional.empty();
  }

  private void save(Tokens next) {
    FORMAT.write(file, next);
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException | UnsupportedOperationException e) {
      log.warn("Cannot make {} readable by its owner only: {}", file, e.toString());
    }
    tokens = next;
    readAt = modified(file);
  }

  private void refresh() {
    FileTime now = modified(file);
    if (now != null && !now.equals(readAt)) {
      try {
        tokens = FORMAT.read(file).orElse(new Tokens(List.of()));
        readAt = now;
      } catch (RuntimeException e) {
        log.error("Keeping the tokens read before: {} cannot be read: {}", file, e.getMessage());
      }
    }
  }

  private static FileTime modified(Path file) {
    try {
      return Files.getLastModifiedTime(file);
    } catch (IOException e) {
      return null;
    }
  }
}
