package dev.ferry.agent.migration;

import dev.ferry.migration.MigrationEvent;

/** Unwinds a running migration to its rollback: carries the abort or fault that stopped it. */
final class MigrationAbortedException extends RuntimeException {
  private final transient MigrationEvent event;

  MigrationAbortedException(MigrationEvent event) {
    super(event.toString(), null, false, false);
    this.event = event;
  }

  MigrationEvent event() {
    return event;
  }
}
