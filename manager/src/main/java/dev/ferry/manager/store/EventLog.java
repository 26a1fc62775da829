package dev.ferry.manager.store;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@code events} table: what the manager decided or observed, for operators. */
public final class EventLog {
  private static final Logger log = LoggerFactory.getLogger(EventLog.class);

  private final Jdbi jdbi;
  private final Clock clock;

  public EventLog(Database db, Clock clock) {
    this.jdbi = db.jdbi();
    this.clock = clock;
  }

  /** One recorded event. */
  public record Event(Instant at, String kind, String subject, String message) {}

  /** Records an event and logs it at INFO. */
  public void record(String kind, String subject, String message) {
    log.info("[{}] {}: {}", kind, subject, message);
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    "INSERT INTO events (id, at, kind, subject, message)"
                        + " VALUES (:id, :at, :kind, :subject, :message)")
                .bind("id", UUID.randomUUID().toString())
                .bind("at", clock.millis())
                .bind("kind", kind)
                .bind("subject", subject)
                .bind("message", message)
                .execute());
  }

  public List<Event> recent(int limit) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT * FROM events ORDER BY at DESC LIMIT :limit")
                .bind("limit", limit)
                .map(
                    (rs, ctx) ->
                        new Event(
                            Instant.ofEpochMilli(rs.getLong("at")),
                            rs.getString("kind"),
                            rs.getString("subject"),
                            rs.getString("message")))
                .list());
  }
}
