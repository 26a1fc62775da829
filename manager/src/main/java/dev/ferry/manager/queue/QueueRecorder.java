package dev.ferry.manager.queue;

import dev.ferry.api.ClusterMigration;
import dev.ferry.common.DataRate;
import dev.ferry.manager.leases.LeaseCause;
import dev.ferry.manager.leases.Leases;
import dev.ferry.manager.metrics.ManagerMetrics;
import dev.ferry.manager.store.EventLog;
import dev.ferry.manager.store.MigrationStore;
import dev.ferry.migration.MigrationRecord;
import dev.ferry.migration.MigrationSettings;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies and records what the queue decided or observed: every change of a queue entry goes
 * through here into the inventory (and, where an operator cares, the event log and metrics). Each
 * change that can let another migration start signals the dispatcher. Thread-safe; called from the
 * request, dispatcher and follower threads.
 */
final class QueueRecorder {
  private static final Logger log = LoggerFactory.getLogger(QueueRecorder.class);

  private final MigrationStore store;
  private final Leases leases;
  private final EventLog events;
  private final ManagerMetrics metrics;
  private final Clock clock;
  private final Wake dispatcher;
  private final List<Consumer<ClusterMigration>> endListeners = new CopyOnWriteArrayList<>();

  QueueRecorder(
      MigrationStore store,
      Leases leases,
      EventLog events,
      ManagerMetrics metrics,
      Clock clock,
      Wake dispatcher) {
    this.store = store;
    this.leases = leases;
    this.events = events;
    this.metrics = metrics;
    this.clock = clock;
    this.dispatcher = dispatcher;
  }

  Instant now() {
    return clock.instant();
  }

  void onEnd(Consumer<ClusterMigration> listener) {
    endListeners.add(listener);
  }

  void queued(ClusterMigration m, Optional<MigrationSettings> settings) {
    store.insert(m, settings);
    events.record(
        "migration-queued",
        m.vm(),
        m.id() + ": " + m.source() + " → " + m.destination() + " (" + m.origin() + ")");
    dispatcher.signal();
  }

  /** Records why a queued migration still waits, if that changed. */
  void waiting(ClusterMigration m, String why) {
    if (!m.reason().equals(Optional.of(why))) {
      store.update(m.withReason(why));
    }
  }

  /** Records the dispatcher's decision to start {@code m}, before the agent is asked. */
  ClusterMigration starting(ClusterMigration m) {
    ClusterMigration s = m.starting(clock.instant(), "starting: preflight on " + m.source());
    store.update(s);
    return s;
  }

  ClusterMigration started(ClusterMigration m, MigrationRecord first) {
    ClusterMigration running = m.runningAs(first);
    store.update(running);
    events.record(
        "migration-started",
        m.vm(),
        m.id() + " runs as " + first.id().value() + " on " + m.source() + " → " + m.destination());
    return running;
  }

  /** Mirrors a running migration's latest agent record. */
  ClusterMigration progress(ClusterMigration m, MigrationRecord r) {
    ClusterMigration updated = m.withRecord(r);
    store.update(updated);
    metrics.progress(m.id(), r);
    return updated;
  }

  void bandwidth(ClusterMigration m, DataRate rate) {
    events.record("migration-bandwidth", m.vm(), m.id() + ": bandwidth cap set to " + rate);
  }

  ClusterMigration note(ClusterMigration m, String why) {
    ClusterMigration updated = m.withReason(why);
    store.update(updated);
    return updated;
  }

  /**
   * Records the end of a migration whose agent record is final (committing the lease move of a
   * completed one, see {@link LeaseCause#MIGRATION_COMPLETED}); empty while it still runs.
   */
  Optional<ClusterMigration> finish(ClusterMigration m, MigrationRecord r) {
    Optional<Outcome> outcome = Outcome.of(r);
    if (outcome.isEmpty()) {
      return Optional.empty();
    }
    Outcome o = outcome.get();
    long epoch = r.epoch().orElse(-1L);
    if (o.status() == ClusterMigration.Status.COMPLETED && epoch > 0) {
      // The source reports completed only once the destination activated the lease (or the
      // reclaim found it activated); settling it again is a no-op then, and the move itself if
      // the handover's calls were lost.
      leases.transfer(
          m.vm(), m.source(), m.destination(), epoch - 1, LeaseCause.MIGRATION_COMPLETED, m.id());
      leases.activate(m.vm(), m.destination(), epoch, m.id() + " completed");
    }
    return Optional.of(ended(m, o.status(), o.reason(), Optional.of(r)));
  }

  ClusterMigration ended(
      ClusterMigration m,
      ClusterMigration.Status status,
      Optional<String> reason,
      Optional<MigrationRecord> record) {
    ClusterMigration e = m.ended(status, reason, clock.instant(), record);
    store.update(e);
    events.record(
        "migration-" + status.text(),
        m.vm(),
        m.id() + " " + status.text() + reason.map(r -> ": " + r).orElse(""));
    metrics.ended(e);
    for (Consumer<ClusterMigration> l : endListeners) {
      try {
        l.accept(e);
      } catch (RuntimeException ex) {
        log.warn("A listener of migration {} failed", m.id(), ex);
      }
    }
    dispatcher.signal();
    return e;
  }
}
