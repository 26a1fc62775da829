package dev.ferry.agent.migration.outgoing;

import dev.ferry.agent.AgentException;
import dev.ferry.agent.vm.OutgoingHandle;
import dev.ferry.common.DataRate;
import dev.ferry.migration.IllegalTransitionException;
import dev.ferry.migration.MigrationEvent;
import dev.ferry.migration.MigrationId;
import dev.ferry.migration.MigrationPhase;
import dev.ferry.migration.MigrationProblem;
import dev.ferry.migration.MigrationRecord;
import dev.ferry.migration.MigrationSettings;
import dev.ferry.migration.MigrationState;
import dev.ferry.migration.MigrationStateMachine;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source side of one live migration, and its runner: one loop that asks the current state for
 * its phase, runs it, and feeds the event it ended with to the state machine through the journal —
 * until the state is terminal. No phase calls another; only this loop sequences them.
 *
 * <pre>
 *   state ──phase(state).run()──▶ Step(event, why) ──journal.fire()──▶ next state (journalled)
 * </pre>
 *
 * <p>Preflight runs on the requesting thread, so a refusal is the request's answer; the rest runs
 * on one virtual thread that owns the migration's state. Other threads only post to the inbox
 * (abort, bandwidth) or read the journal's record.
 *
 * <p>Guarantees: before handover any failure or abort ends with the VM running on this host and
 * nothing left on the destination (the destination's watchdog removes its side itself when it can
 * no longer be told); after the destination confirmed handover the guest is never resumed here; if
 * the outcome of the handover cannot be known the guest stays paused here.
 */
final class OutgoingMigration {
  private static final Logger log = LoggerFactory.getLogger(OutgoingMigration.class);

  private final OutgoingContext host;
  private final PhaseContext ctx;
  private final CompletableFuture<MigrationRecord> finished = new CompletableFuture<>();
  private final Queue<Signal.Abort> abortRequests = new ConcurrentLinkedQueue<>();
  private final CopyClock copyClock = new CopyClock();
  private final PreflightPhase preflight = new PreflightPhase();
  private final PreparePhase prepare = new PreparePhase();
  private final DiskMirrorPhase mirror = new DiskMirrorPhase();
  private final PrecopyPhase precopy = new PrecopyPhase(copyClock);
  private final SwitchoverPhase switchover = new SwitchoverPhase(copyClock);
  private final HandoverPhase handover = new HandoverPhase();
  private final CleanupPhase cleanup = new CleanupPhase(copyClock);
  private final Rollback rollback = new Rollback();
  private MigrationEvent lastEvent;

  private OutgoingMigration(
      OutgoingContext host, MigrationRecord record, String destUrl, OutgoingHandle handle) {
    this.host = host;
    Journal journal = new Journal(host, record);
    PhaseContext.Destination dest =
        new PhaseContext.Destination(record.destination(), destUrl, host.peers().apply(destUrl));
    this.ctx = new PhaseContext(host, record.id(), dest, handle, new Inbox(), journal);
  }

  /**
   * Takes hold of the VM and journals the migration; preflight has not run yet.
   *
   * @throws AgentException.Conflict if the VM is not running here or already migrating
   */
  static OutgoingMigration begin(
      OutgoingContext host,
      String vm,
      String destHost,
      String destUrl,
      MigrationSettings settings) {
    MigrationId id = MigrationId.random();
    OutgoingHandle handle = host.vms().beginOutgoing(vm, id.value());
    MigrationRecord record =
        MigrationRecord.begin(id, vm, host.hostName(), destHost, host.clock().instant(), settings);
    try {
      host.store()
          .saveNotes(
              new OutgoingNotes(
                  id.value(), vm, destHost, destUrl, handle.wasRunning(), handle.epoch()));
      host.store().save(record);
    } catch (RuntimeException e) {
      handle.rollBack();
      throw new AgentException.Failed(
          "cannot journal the migration of '" + vm + "': " + e.getMessage(), e);
    }
    OutgoingMigration m = new OutgoingMigration(host, record, destUrl, handle);
    m.ctx.journal().note("migration " + id + " of " + vm + " to " + destHost + " requested");
    return m;
  }

  /** Recreates a migration from its journal after an agent restart, to finish or undo it. */
  static OutgoingMigration recover(
      OutgoingContext host, MigrationRecord record, OutgoingNotes notes, OutgoingHandle handle) {
    return new OutgoingMigration(host, record, notes.destinationAgent(), handle);
  }

  MigrationId id() {
    return ctx.id();
  }

  MigrationState state() {
    return ctx.journal().state();
  }

  MigrationRecord snapshot() {
    return ctx.journal().record();
  }

  CompletableFuture<MigrationRecord> finished() {
    return finished;
  }

  // ---------------------------------------------------------------- requests from other threads

  /** Asks to abort; completes with whether the migration took it (false: past handover). */
  CompletableFuture<Boolean> requestAbort(String reason) {
    CompletableFuture<Boolean> accepted = new CompletableFuture<>();
    MigrationState s = state();
    if (s.terminal() || s instanceof MigrationState.RollingBack) {
      accepted.complete(!(s instanceof MigrationState.Completed));
      return accepted;
    }
    if (!MigrationStateMachine.abortable(s)) {
      accepted.complete(false);
      return accepted;
    }
    Signal.Abort abort = new Signal.Abort(reason, accepted);
    abortRequests.add(abort);
    ctx.inbox().post(abort);
    return accepted;
  }

  void changeBandwidth(DataRate rate) {
    ctx.journal().update(r -> r.withSettings(r.settings().withBandwidth(Optional.of(rate))));
    ctx.inbox().post(new Signal.Bandwidth(rate));
  }

  void reportOutage(Duration outage) {
    ctx.journal().update(r -> r.withOutage(outage));
    snapshot()
        .downtimeMs()
        .ifPresent(d -> host.estimates().observeOutage(Duration.ofMillis(d), outage));
  }

  // ---------------------------------------------------------------- the runner

  /**
   * Runs preflight on the calling thread. On refusal the migration is recorded as failed in
   * preflight, the VM is released untouched, and the refusal is thrown.
   */
  void preflight() {
    Step step = execute(state());
    fire(step);
    if (state() instanceof MigrationState.Preparing) {
      return;
    }
    while (!state().terminal()) {
      fire(execute(state()));
    }
    finish();
    MigrationEvent.Fault fault = (MigrationEvent.Fault) step.event();
    if (fault.problem() instanceof MigrationProblem.Refused r) {
      throw new AgentException.Conflict(
          "migration of '"
              + ctx.vm()
              + "' to "
              + ctx.destHost()
              + " refused in preflight: "
              + r.reason());
    }
    throw new AgentException.Failed(
        "preflight of '" + ctx.vm() + "' failed: " + fault.cause(), null);
  }

  /** Runs the rest of the migration on its own virtual thread. */
  void start() {
    Thread.ofVirtual().name("migration-" + id()).start(this::runToTheEnd);
  }

  /** Finishes or undoes a migration found unfinished in its journal after an agent restart. */
  void finishAfterRestart() {
    Thread.ofVirtual()
        .name("migration-recovery-" + id())
        .start(
            () -> {
              try {
                Recovery.firstStep(ctx, state()).ifPresent(this::fire);
              } catch (RuntimeException e) {
                log.error("Migration {}: recovery could not decide where to go on", id(), e);
              }
              runToTheEnd();
            });
  }

  private void runToTheEnd() {
    try {
      ctx.inbox().listenTo(ctx.handle().qmp());
      while (!state().terminal()) {
        fire(unjournalled().or(this::abortBetweenPhases).orElseGet(() -> execute(state())));
      }
    } catch (RuntimeException e) {
      log.error("Migration {}: the runner stopped in {}", id(), state().label(), e);
      ctx.journal().warn("the migration stopped in " + state().label() + ": " + e);
    } finally {
      finish();
    }
  }

  /**
   * A state the journal could not record is never acted on: before handover the migration rolls
   * back (the rollback itself goes on in memory), in handover the destination is never told.
   */
  private Optional<Step> unjournalled() {
    Optional<String> problem = ctx.journal().problem();
    if (problem.isEmpty()) {
      return Optional.empty();
    }
    MigrationState s = state();
    if (s instanceof MigrationState.Handover) {
      return Optional.of(
          new Step(new MigrationEvent.HandoverRefused(problem.get()), problem.get()));
    }
    if (MigrationStateMachine.abortable(s) && !(s instanceof MigrationState.RollingBack)) {
      return Optional.of(Step.fault(new MigrationProblem.Unexpected(problem.get())));
    }
    return Optional.empty();
  }

  /** An abort that arrived while no phase listened is taken before the next phase starts. */
  private Optional<Step> abortBetweenPhases() {
    if (!MigrationStateMachine.abortable(state())
        || state() instanceof MigrationState.RollingBack) {
      return Optional.empty();
    }
    for (Signal.Abort a : abortRequests) {
      if (!a.accepted().isDone()) {
        a.accepted().complete(true);
        return Optional.of(Step.abort(a.reason()));
      }
    }
    return Optional.empty();
  }

  /** Runs the phase of {@code state} and returns the step it ended with. */
  private Step execute(MigrationState state) {
    try {
      return switch (state) {
        case MigrationState.Preflight s -> preflight.run(ctx);
        case MigrationState.Preparing s -> prepare.run(ctx, s);
        case MigrationState.Mirroring s -> mirror.run(ctx, s);
        case MigrationState.PreCopy s -> precopy.run(ctx, s);
        case MigrationState.Switchover s -> switchover.run(ctx, s);
        case MigrationState.Handover s -> handover.run(ctx, s);
        case MigrationState.Cleanup s -> cleanup.run(ctx, s);
        case MigrationState.RollingBack s -> rollback.run(ctx, s);
        case MigrationState.Completed s -> throw new IllegalStateException("already completed");
        case MigrationState.Aborted s -> throw new IllegalStateException("already aborted");
        case MigrationState.Failed s -> throw new IllegalStateException("already failed");
      };
    } catch (PhaseFault f) {
      return Step.fault(f.problem());
    } catch (RuntimeException e) {
      log.error("Migration {}: unexpected error in {}", id(), state.label(), e);
      return Step.fault(
          new MigrationProblem.Unexpected("unexpected error in " + state.label() + ": " + e));
    }
  }

  /**
   * Feeds a phase's step to the state machine through the journal. A fault the state cannot take
   * (in handover, where the destination may already run the guest) makes the handover's outcome
   * unknown: the guest stays paused here.
   */
  private void fire(Step step) {
    Step s = step;
    if (s.event() instanceof MigrationEvent.Fault f && state() instanceof MigrationState.Handover) {
      s =
          new Step(
              new MigrationEvent.HandoverUnknown(f.cause()), "fault in handover: " + f.cause());
    }
    try {
      ctx.journal().fire(s.event(), s.why());
      lastEvent = s.event();
    } catch (IllegalTransitionException e) {
      log.error("Migration {}: {}", id(), e.getMessage());
      ctx.journal().warn(e.getMessage());
      if (MigrationStateMachine.abortable(state())) {
        ctx.journal()
            .fire(
                new MigrationEvent.Fault(new MigrationProblem.Unexpected(e.getMessage())),
                "fault: " + e.getMessage());
      } else {
        throw e;
      }
    }
    answerAborts();
  }

  /**
   * Abort requests no phase saw are answered once the state decides them: taken when the migration
   * is rolling back or ended without completing, declined once handover began.
   */
  private void answerAborts() {
    MigrationState s = state();
    if (MigrationStateMachine.abortable(s) && !(s instanceof MigrationState.RollingBack)) {
      return;
    }
    boolean taken =
        s instanceof MigrationState.RollingBack
            || (s.terminal() && !(s instanceof MigrationState.Completed));
    Signal.Abort a;
    while ((a = abortRequests.poll()) != null) {
      a.accepted().complete(taken);
    }
  }

  private void finish() {
    ctx.keepAlive().stop();
    ctx.inbox().close();
    MigrationState s = state();
    if (lastEvent instanceof MigrationEvent.HandoverUnknown) {
      ctx.handle().keepPaused();
      ctx.journal()
          .warn(
              "VM '"
                  + ctx.vm()
                  + "' is kept paused on "
                  + host.hostName()
                  + ": resume it only after making sure "
                  + ctx.destHost()
                  + " does not run it");
    }
    if (lastEvent instanceof MigrationEvent.PostcopyLost) {
      ctx.handle().keepPaused();
      ctx.journal()
          .warn(
              "VM '"
                  + ctx.vm()
                  + "': its source QEMU is kept paused on "
                  + host.hostName()
                  + " with the memory it still holds");
    }
    if (s instanceof MigrationState.Completed) {
      learnFixedCost(snapshot());
    }
    if (s.terminal()) {
      host.store().deleteNotes(id().value());
    }
    Signal.Abort a;
    while ((a = abortRequests.poll()) != null) {
      a.accepted().complete(!(s instanceof MigrationState.Completed));
    }
    finished.complete(snapshot());
  }

  /** The time spent outside the copy (request to end, minus pre-copy and switchover). */
  private void learnFixedCost(MigrationRecord r) {
    Instant copyStart = r.phases().get(MigrationPhase.PRECOPY);
    Instant copyEnd = r.phases().get(MigrationPhase.HANDOVER);
    if (copyStart != null && copyEnd != null && r.endedAt().isPresent()) {
      host.estimates()
          .observeFixedCost(
              Duration.between(r.startedAt(), r.endedAt().get())
                  .minus(Duration.between(copyStart, copyEnd)));
    }
  }
}
