package dev.ferry.manager.store;

import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** The {@code settings} table: named JSON values (queue limits, balancer settings). */
public final class SettingsStore {
  private final Jdbi jdbi;

  public SettingsStore(Database db) {
    this.jdbi = db.jdbi();
  }

  public <T> Optional<T> get(String name, Class<T> type) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT value FROM settings WHERE name = :n")
                .bind("n", name)
                .mapTo(String.class)
                .findOne()
                .flatMap(v -> Codec.fromJson(v, type)));
  }

  public void put(String name, Object value) {
    String json = Codec.json(value);
    jdbi.useTransaction(
        h -> {
          int n =
              h.createUpdate("UPDATE settings SET value = :v WHERE name = :n")
                  .bind("v", json)
                  .bind("n", name)
                  .execute();
          if (n == 0) {
            h.createUpdate("INSERT INTO settings (name, value) VALUES (:n, :v)")
                .bind("n", name)
                .bind("v", json)
                .execute();
          }
        });
  }
}
