package dev.ferry.manager.store;

import dev.ferry.api.ClusterHost;
import dev.ferry.api.HostFacts;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** The {@code hosts} table: each host's agent URL, status, maintenance mode, facts and load. */
public final class HostStore {
  private final Jdbi jdbi;

  public HostStore(Database db) {
    this.jdbi = db.jdbi();
  }

  public List<ClusterHost> all() {
    return jdbi.withHandle(
        h -> h.createQuery("SELECT * FROM hosts ORDER BY name").map((rs, ctx) -> row(rs)).list());
  }

  public Optional<ClusterHost> find(String name) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT * FROM hosts WHERE name = :n")
                .bind("n", name)
                .map((rs, ctx) -> row(rs))
                .findOne());
  }

  /** Inserts a host, or updates its URL and facts when it is known already. */
  public void upsert(ClusterHost host, Instant now) {
    jdbi.useTransaction(
        h -> {
          int n =
              h.createUpdate(
                      "UPDATE hosts SET url = :url, status = :status, status_since = :since,"
                          + " last_seen = :seen, facts = :facts WHERE name = :name")
                  .bind("url", host.url())
                  .bind("status", host.status().name())
                  .bind("since", host.statusSince().toEpochMilli())
                  .bind("seen", Codec.millis(host.lastSeen()))
                  .bind("facts", host.facts().map(Codec::json).orElse(null))
                  .bind("name", host.name())
                  .execute();
          if (n == 0) {
            h.createUpdate(
                    "INSERT INTO hosts (name, url, status, status_since, last_seen, maintenance,"
                        + " facts, load, added_at) VALUES (:name, :url, :status, :since, :seen,"
                        + " :maintenance, :facts, :load, :added)")
                .bind("name", host.name())
                .bind("url", host.url())
                .bind("status", host.status().name())
                .bind("since", host.statusSince().toEpochMilli())
                .bind("seen", Codec.millis(host.lastSeen()))
                .bind("maintenance", host.maintenance().name())
                .bind("facts", host.facts().map(Codec::json).orElse(null))
                .bind("load", host.load().map(Codec::json).orElse(null))
                .bind("added", now.toEpochMilli())
                .execute();
          }
        });
  }

  /** Records a heartbeat that answered. */
  public void seen(String name, Instant at, HostFacts facts, ClusterHost.Load load) {
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    "UPDATE hosts SET last_seen = :at, facts = :facts, load = :load,"
                        + " status_since = CASE WHEN status = 'UP' THEN status_since ELSE :at END,"
                        + " status = 'UP' WHERE name = :name")
                .bind("at", at.toEpochMilli())
                .bind("facts", Codec.json(facts))
                .bind("load", Codec.json(load))
                .bind("name", name)
                .execute());
  }

  /** Marks a host unreachable; returns whether that is a change. */
  public boolean unreachable(String name, Instant at) {
    return jdbi.withHandle(
            h ->
                h.createUpdate(
                        "UPDATE hosts SET status = 'UNREACHABLE', status_since = :at"
                            + " WHERE name = :name AND status <> 'UNREACHABLE'")
                    .bind("at", at.toEpochMilli())
                    .bind("name", name)
                    .execute())
        == 1;
  }

  public void setMaintenance(String name, ClusterHost.Maintenance m) {
    jdbi.useHandle(
        h ->
            h.createUpdate("UPDATE hosts SET maintenance = :m WHERE name = :name")
                .bind("m", m.name())
                .bind("name", name)
                .execute());
  }

  public void delete(String name) {
    jdbi.useHandle(
        h -> h.createUpdate("DELETE FROM hosts WHERE name = :n").bind("n", name).execute());
  }

  private static ClusterHost row(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new ClusterHost(
        rs.getString("name"),
        rs.getString("url"),
        ClusterHost.Status.valueOf(rs.getString("status").toUpperCase(Locale.ROOT)),
        Instant.ofEpochMilli(rs.getLong("status_since")),
        Codec.instant(rs, "last_seen"),
        ClusterHost.Maintenance.valueOf(rs.getString("maintenance")),
        Codec.fromJson(rs.getString("facts"), HostFacts.class),
        Codec.fromJson(rs.getString("load"), ClusterHost.Load.class));
  }
}
