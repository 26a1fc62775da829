package dev.ferry.manager.store;

import dev.ferry.api.MaintenanceStatus;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** The {@code evacuations} table: per host entering maintenance, what happens to each VM. */
public final class EvacuationStore {
  private final Jdbi jdbi;

  public EvacuationStore(Database db) {
    this.jdbi = db.jdbi();
  }

  /** Replaces a host's evacuation plan. */
  public void replace(String host, List<MaintenanceStatus.Item> items) {
    jdbi.useTransaction(
        h -> {
          h.createUpdate("DELETE FROM evacuations WHERE host = :h").bind("h", host).execute();
          for (MaintenanceStatus.Item i : items) {
            h.createUpdate(
                    "INSERT INTO evacuations (host, vm, destination, migration, status, reason)"
                        + " VALUES (:h, :vm, :dst, :mig, :status, :reason)")
                .bind("h", host)
                .bind("vm", i.vm())
                .bind("dst", i.destination().orElse(null))
                .bind("mig", i.migration().orElse(null))
                .bind("status", i.status())
                .bind("reason", i.reason().orElse(null))
                .execute();
          }
        });
  }

  public void update(String host, MaintenanceStatus.Item i) {
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    "UPDATE evacuations SET destination = :dst, migration = :mig,"
                        + " status = :status, reason = :reason WHERE host = :h AND vm = :vm")
                .bind("h", host)
                .bind("vm", i.vm())
                .bind("dst", i.destination().orElse(null))
                .bind("mig", i.migration().orElse(null))
                .bind("status", i.status())
                .bind("reason", i.reason().orElse(null))
                .execute());
  }

  public List<MaintenanceStatus.Item> of(String host) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT * FROM evacuations WHERE host = :h ORDER BY vm")
                .bind("h", host)
                .map(
                    (rs, ctx) ->
                        new MaintenanceStatus.Item(
                            rs.getString("vm"),
                            Optional.ofNullable(rs.getString("destination")),
                            Optional.ofNullable(rs.getString("migration")),
                            rs.getString("status"),
                            Optional.ofNullable(rs.getString("reason"))))
                .list());
  }
}
