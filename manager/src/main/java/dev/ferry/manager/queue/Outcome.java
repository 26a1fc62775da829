package dev.ferry.manager.queue;

import dev.ferry.api.ClusterMigration;
import dev.ferry.migration.MigrationRecord;
import dev.ferry.migration.MigrationState;
import java.util.Optional;

/** How a source agent's record ends a queue entry, pure. */
record Outcome(ClusterMigration.Status status, Optional<String> reason) {

  /** The end the record says, or empty while the migration still runs. */
  static Optional<Outcome> of(MigrationRecord r) {
    MigrationState s = r.state();
    if (!s.terminal()) {
      return Optional.empty();
    }
    return Optional.of(
        switch (s) {
          case MigrationState.Completed c ->
              new Outcome(ClusterMigration.Status.COMPLETED, Optional.empty());
          case MigrationState.Aborted a ->
              new Outcome(
                  ClusterMigration.Status.ABORTED,
                  Optional.of("aborted in " + a.phase() + ": " + a.reason()));
          case MigrationState.Failed f ->
              new Outcome(
                  ClusterMigration.Status.FAILED,
                  Optional.of("failed in " + f.phase() + ": " + f.cause()));
          default -> new Outcome(ClusterMigration.Status.FAILED, Optional.of("ended as " + s));
        });
  }
}
