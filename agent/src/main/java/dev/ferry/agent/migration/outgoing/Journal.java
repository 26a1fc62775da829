package dev.ferry.agent.migration.outgoing;

import dev.ferry.api.AgentEvent;
import dev.ferry.migration.MigrationEvent;
import dev.ferry.migration.MigrationPhase;
import dev.ferry.migration.MigrationRecord;
import dev.ferry.migration.MigrationSettings;
import dev.ferry.migration.MigrationState;
import dev.ferry.migration.MigrationStateMachine;
import dev.ferry.migration.Progress;
import dev.ferry.migration.ProgressTracker;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One migration's record and the only way it changes: every transition goes through {@link
 * MigrationStateMachine}, is journalled to disk (fsynced) before the next phase acts, logged, and
 * announced on the agent's event stream. Notes, warnings and progress go the same way. Thread-safe:
 * the runner writes, request threads read {@link #record} and change the bandwidth or the outage.
 *
 * <p>A journal write that fails is never swallowed: the state still moves on in memory, the failure
 * is recorded ({@link #problem}), and the runner rolls the migration back instead of acting on a
 * state a crash could not recover (see {@code OutgoingMigration}).
 */
final class Journal {
  private static final Logger log = LoggerFactory.getLogger(Journal.class);

  private final OutgoingContext host;
  private final ReentrantLock lock = new ReentrantLock();
  private volatile MigrationRecord record;
  private ProgressTracker tracker;
  private volatile Optional<String> problem = Optional.empty();
  private Instant lastProgressEvent = Instant.EPOCH;

  Journal(OutgoingContext host, MigrationRecord record) {
    this.host = host;
    this.record = record;
  }

  MigrationRecord record() {
    return record;
  }

  MigrationState state() {
    return record.state();
  }

  MigrationSettings settings() {
    return record.settings();
  }

  /** Why the journal could not be written, once it failed. */
  Optional<String> problem() {
    return problem;
  }

  /**
   * Applies {@code event} to the current state and journals the result; returns the new state.
   *
   * @throws dev.ferry.migration.IllegalTransitionException if the state does not take the event
   */
  MigrationState fire(MigrationEvent event, String why) {
    MigrationState from;
    MigrationState to;
    lock.lock();
    try {
      from = record.state();
      to = MigrationStateMachine.next(from, event);
      record = record.withState(to, host.clock().instant(), why);
      if (to instanceof MigrationState.Completed && tracker != null) {
        record = record.withProgress(tracker.enter(host.clock().instant(), MigrationPhase.CLEANUP));
      }
      persistLocked();
    } finally {
      lock.unlock();
    }
    if (!from.label().equals(to.label())) {
      log.info(
          "Migration {} of {}: {} -> {} ({})",
          record.id(),
          record.vm(),
          from.label(),
          to.label(),
          why);
    }
    publishState(why);
    return to;
  }

  /** A note in the current state, for the record and the log. */
  void note(String message) {
    log.info("Migration {}: {}", record.id(), message);
    update(r -> r.withNote(host.clock().instant(), message));
  }

  /** Something went wrong without failing the migration. */
  void warn(String warning) {
    log.warn("Migration {}: {}", record.id(), warning);
    update(r -> r.withWarning(warning));
  }

  /** Changes the record (not its state) and journals it. */
  void update(UnaryOperator<MigrationRecord> change) {
    lock.lock();
    try {
      record = change.apply(record);
      persistLocked();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Changes figures that move every sample (bytes sent, passes) in memory only; they reach the disk
   * with the next journalled change.
   */
  void refresh(UnaryOperator<MigrationRecord> change) {
    lock.lock();
    try {
      record = change.apply(record);
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------- progress

  /** Starts tracking progress afresh (a new copy phase). */
  void startProgress(Progress initial) {
    lock.lock();
    try {
      tracker = new ProgressTracker(initial);
      record = record.withProgress(initial);
    } finally {
      lock.unlock();
    }
  }

  /** Moves progress into {@code phase} (100% of the copy once it is over). */
  void enterPhase(MigrationPhase phase) {
    lock.lock();
    try {
      if (tracker != null) {
        record = record.withProgress(tracker.enter(host.clock().instant(), phase));
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Records a progress sample (not journalled: progress is recomputed after a restart) and
   * announces it at most every {@code progressEvery}.
   */
  void progress(Function<ProgressTracker, Progress> sample) {
    Progress p;
    lock.lock();
    try {
      if (tracker == null) {
        return;
      }
      p = sample.apply(tracker);
      record = record.withProgress(p);
    } finally {
      lock.unlock();
    }
    Instant now = host.clock().instant();
    if (Duration.between(lastProgressEvent, now).compareTo(host.timings().progressEvery()) < 0) {
      return;
    }
    lastProgressEvent = now;
    host.events()
        .publish(
            AgentEvent.Type.MIGRATION_PROGRESS,
            Optional.of(record.vm()),
            Optional.empty(),
            String.format(Locale.ROOT, "%.1f%%", p.percent()),
            Optional.of(record.id().value()),
            Optional.of(p));
  }

  private void persistLocked() {
    try {
      host.store().save(record);
    } catch (RuntimeException e) {
      String why = "cannot journal the migration: " + e.getMessage();
      if (problem.isEmpty()) {
        log.error("Migration {}: {}", record.id(), why);
      }
      problem = Optional.of(why);
    }
  }

  private void publishState(String message) {
    MigrationRecord r = record;
    host.events()
        .publish(
            AgentEvent.Type.MIGRATION_STATE,
            Optional.of(r.vm()),
            Optional.empty(),
            r.state().label() + ": " + message,
            Optional.of(r.id().value()),
            r.progress());
  }
}
