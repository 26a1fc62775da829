package dev.ferry.api.auth;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a server (an agent or the manager) keeps what its security rests on.
 *
 * @param tokens the tokens it accepts over TCP ({@link TokenStore}); created with one admin token
 *     when missing
 * @param adminToken where that first admin token's text is written (mode 0600)
 * @param auditLog where every call but GET is recorded ({@link AuditLog})
 * @param callerTokenFile the token this server presents to its peers (the cluster's); without one,
 *     the environment's, else its own admin token
 */
public record ServerSecurity(
    Path tokens, Path adminToken, Path auditLog, Optional<Path> callerTokenFile) {
  public ServerSecurity {
    Objects.requireNonNull(tokens, "tokens");
    Objects.requireNonNull(adminToken, "adminToken");
    Objects.requireNonNull(auditLog, "auditLog");
    callerTokenFile = callerTokenFile == null ? Optional.empty() : callerTokenFile;
  }

  /** Everything in {@code dir}: {@code tokens.json}, {@code admin.token}, {@code audit.log}. */
  public static ServerSecurity in(Path dir) {
    return new ServerSecurity(
        dir.resolve("tokens.json"),
        dir.resolve("admin.token"),
        dir.resolve("audit.log"),
        Optional.empty());
  }

  /** The same, accepting the tokens of {@code tokensFile} and presenting {@code callerToken}. */
  public ServerSecurity with(Optional<Path> tokensFile, Optional<Path> callerToken) {
    return new ServerSecurity(
        tokensFile.orElse(tokens),
        adminToken,
        auditLog,
        callerToken.isPresent() ? callerToken : callerTokenFile);
  }

  /** Opens (or, the first time, creates) the token store. */
  public TokenStore store() {
    return TokenStore.openOrInit(tokens, adminToken);
  }

  /** The token this server presents when it calls a peer. */
  public Optional<BearerToken> callerToken() {
    if (callerTokenFile.isPresent()) {
      return Optional.of(BearerToken.read(callerTokenFile.get()));
    }
    Optional<BearerToken> env = BearerToken.fromEnvironment();
    if (env.isPresent()) {
      return env;
    }
    return Files.isReadable(adminToken)
        ? Optional.of(BearerToken.read(adminToken))
        : Optional.empty();
  }
}
