package dev.ferry.agent.migration.incoming;

import dev.ferry.migration.IncomingState;
import dev.ferry.migration.MigrationId;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The destination's journal of one incoming migration: who sends it, how long the source may be
 * silent, and the side's state (with what it created). Written before each effect, so a restarted
 * agent answers the source from it and removes what a dead side left.
 *
 * @param migration the migration
 * @param vm the VM's name
 * @param sourceHost the host sending it
 * @param keepAliveTimeout how long the source may be silent before the side is removed
 * @param state where the side is
 * @param since when it got there
 */
record IncomingRecord(
    MigrationId migration,
    String vm,
    String sourceHost,
    Duration keepAliveTimeout,
    IncomingState state,
    Instant since) {

  IncomingRecord {
    Objects.requireNonNull(migration, "migration");
    Objects.requireNonNull(vm, "vm");
    Objects.requireNonNull(sourceHost, "sourceHost");
    Objects.requireNonNull(keepAliveTimeout, "keepAliveTimeout");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(since, "since");
  }

  IncomingRecord with(IncomingState next, Instant at) {
    return new IncomingRecord(migration, vm, sourceHost, keepAliveTimeout, next, at);
  }
}
