package dev.ferry.manager.store;

import dev.ferry.api.ClusterMigration;
import dev.ferry.migration.MigrationRecord;
import dev.ferry.migration.MigrationSettings;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;

/**
 * The {@code migrations} table: the queue and the history. A row is written when a migration is
 * queued and updated at each queue decision and progress sample, so a restarted manager finds every
 * migration it started and which agent migration to follow.
 */
public final class MigrationStore {
  private final Jdbi jdbi;

  public MigrationStore(Database db) {
    this.jdbi = db.jdbi();
  }

  /** A queue row: the public view plus the policy to start it with. */
  public record Row(ClusterMigration migration, Optional<MigrationSettings> settings, long seq) {}

  public void insert(ClusterMigration m, Optional<MigrationSettings> settings) {
    jdbi.useTransaction(
        h -> {
          long seq =
              h.createQuery("SELECT COALESCE(MAX(seq), 0) + 1 FROM migrations")
                  .mapTo(Long.class)
                  .one();
          h.createUpdate(
                  "INSERT INTO migrations (id, seq, vm, source, destination, status, reason,"
                      + " origin, settings, requested_at) VALUES (:id, :seq, :vm, :src, :dst,"
                      + " :status, :reason, :origin, :settings, :at)")
              .bind("id", m.id())
              .bind("seq", seq)
              .bind("vm", m.vm())
              .bind("src", m.source())
              .bind("dst", m.destination())
              .bind("status", m.status().name())
              .bind("reason", m.reason().orElse(null))
              .bind("origin", m.origin())
              .bind("settings", settings.map(Codec::json).orElse(null))
              .bind("at", m.requestedAt().toEpochMilli())
              .execute();
        });
  }

  /** Rewrites the mutable columns of a row. */
  public void update(ClusterMigration m) {
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    "UPDATE migrations SET status = :status, reason = :reason,"
                        + " started_at = :started, ended_at = :ended, agent_migration = :am,"
                        + " record = :record WHERE id = :id")
                .bind("status", m.status().name())
                .bind("reason", m.reason().orElse(null))
                .bind("started", Codec.millis(m.startedAt()))
                .bind("ended", Codec.millis(m.endedAt()))
                .bind("am", m.agentMigration().orElse(null))
                .bind("record", m.record().map(Codec::json).orElse(null))
                .bind("id", m.id())
                .execute());
  }

  public Optional<Row> find(String id) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT * FROM migrations WHERE id = :id")
                .bind("id", id)
                .map((rs, ctx) -> row(rs))
                .findOne());
  }

  /** Queued and running migrations, oldest first. */
  public List<Row> active() {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT * FROM migrations WHERE status IN ('QUEUED', 'RUNNING') ORDER BY seq")
                .map((rs, ctx) -> row(rs))
                .list());
  }

  /** The newest {@code limit} migrations, newest first. */
  public List<Row> recent(int limit) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT * FROM migrations ORDER BY seq DESC LIMIT :limit")
                .bind("limit", limit)
                .map((rs, ctx) -> row(rs))
                .list());
  }

  /** When each source host last had a migration started (fairness across sources). */
  public Map<String, Instant> lastStartBySource() {
    return jdbi.withHandle(
        h ->
            h
                .createQuery(
                    "SELECT source, MAX(started_at) AS last FROM migrations"
                        + " WHERE started_at IS NOT NULL GROUP BY source")
                .map((rs, ctx) -> Map.entry(rs.getString("source"), rs.getLong("last")))
                .list()
                .stream()
                .collect(
                    Collectors.toMap(Map.Entry::getKey, e -> Instant.ofEpochMilli(e.getValue()))));
  }

  private static Row row(java.sql.ResultSet rs) throws java.sql.SQLException {
    ClusterMigration m =
        new ClusterMigration(
            rs.getString("id"),
            rs.getString("vm"),
            rs.getString("source"),
            rs.getString("destination"),
            ClusterMigration.Status.valueOf(rs.getString("status").toUpperCase(Locale.ROOT)),
            Optional.ofNullable(rs.getString("reason")),
            rs.getString("origin"),
            Instant.ofEpochMilli(rs.getLong("requested_at")),
            Codec.instant(rs, "started_at"),
            Codec.instant(rs, "ended_at"),
            Optional.ofNullable(rs.getString("agent_migration")),
            Codec.fromJson(rs.getString("record"), MigrationRecord.class));
    return new Row(
        m, Codec.fromJson(rs.getString("settings"), MigrationSettings.class), rs.getLong("seq"));
  }
}
