package dev.ferry.manager.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manager's database: embedded SQLite by default (a file, zero set-up) or PostgreSQL, both
 * brought to the same schema by the versioned migrations under {@code db/migration}.
 */
public final class Database {
  private static final Logger log = LoggerFactory.getLogger(Database.class);

  private final Jdbi jdbi;
  private final String description;

  private Database(Jdbi jdbi, String description) {
    this.jdbi = jdbi;
    this.description = description;
  }

  /**
   * Opens and migrates a database.
   *
   * @param url {@code sqlite:/path/file.db}, a plain path (SQLite), or {@code
   *     jdbc:postgresql://host:port/db?user=...&password=...}
   */
  public static Database open(String url) {
    String jdbcUrl;
    String user = null;
    String password = null;
    String u = url.strip();
    if (u.startsWith("jdbc:postgresql:")) {
      jdbcUrl = u;
    } else if (u.startsWith("postgresql://") || u.startsWith("postgres://")) {
      jdbcUrl = "jdbc:" + u.replaceFirst("^postgres://", "postgresql://");
    } else if (u.startsWith("jdbc:sqlite:") || u.startsWith("sqlite:") || u.startsWith("/")) {
      Path file = Path.of(u.replaceFirst("^(jdbc:)?sqlite:", ""));
      if (!file.isAbsolute()) {
        throw new IllegalArgumentException("SQLite path '" + file + "' must be absolute");
      }
      try {
        Files.createDirectories(file.getParent());
      } catch (java.io.IOException e) {
        throw new IllegalArgumentException("cannot create " + file.getParent(), e);
      }
      jdbcUrl =
          "jdbc:sqlite:" + file + "?journal_mode=WAL&busy_timeout=10000&transaction_mode=IMMEDIATE";
    } else {
      throw new IllegalArgumentException(
          "database '"
              + url
              + "' is neither sqlite:/ABSOLUTE/PATH nor jdbc:postgresql://HOST:PORT/DB");
    }
    Flyway.configure()
        .dataSource(jdbcUrl, user, password)
        .locations("classpath:db/migration")
        .load()
        .migrate();
    String kind = jdbcUrl.toLowerCase(Locale.ROOT).contains("postgresql") ? "PostgreSQL" : "SQLite";
    String safe = jdbcUrl.replaceAll("password=[^&]*", "password=***");
    log.info("Inventory in {} ({})", kind, safe);
    return new Database(Jdbi.create(jdbcUrl), kind + " " + safe);
  }

  public Jdbi jdbi() {
    return jdbi;
  }

  @Override
  public String toString() {
    return description;
  }
}
