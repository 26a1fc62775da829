package dev.ferry.migration;

import dev.ferry.migration.MigrationEvent.AbortRequested;
import dev.ferry.migration.MigrationEvent.CleanedUp;
import dev.ferry.migration.MigrationEvent.DestinationPrepared;
import dev.ferry.migration.MigrationEvent.Fault;
import dev.ferry.migration.MigrationEvent.HandedOver;
import dev.ferry.migration.MigrationEvent.HandoverRefused;
import dev.ferry.migration.MigrationEvent.HandoverUnknown;
import dev.ferry.migration.MigrationEvent.MirrorsReady;
import dev.ferry.migration.MigrationEvent.PassStarted;
import dev.ferry.migration.MigrationEvent.PostcopyLost;
import dev.ferry.migration.MigrationEvent.PostcopyStarted;
import dev.ferry.migration.MigrationEvent.PostcopySwitched;
import dev.ferry.migration.MigrationEvent.PreSwitchoverReached;
import dev.ferry.migration.MigrationEvent.PreflightPassed;
import dev.ferry.migration.MigrationEvent.RolledBack;
import dev.ferry.migration.MigrationEvent.StreamCompleted;
import dev.ferry.migration.MigrationState.Aborted;
import dev.ferry.migration.MigrationState.Cleanup;
import dev.ferry.migration.MigrationState.Completed;
import dev.ferry.migration.MigrationState.Failed;
import dev.ferry.migration.MigrationState.Handover;
import dev.ferry.migration.MigrationState.Mirroring;
import dev.ferry.migration.MigrationState.PreCopy;
import dev.ferry.migration.MigrationState.Preflight;
import dev.ferry.migration.MigrationState.Preparing;
import dev.ferry.migration.MigrationState.RollingBack;
import dev.ferry.migration.MigrationState.Switchover;

/**
 * The one transition function of a live migration: pure, total over (state, event), and explicit
 * about what it refuses. Abort and faults are accepted in every state before handover; after the
 * destination has been asked to take over, a fault can no longer roll back, because the destination
 * may already run the guest. The diagram is on {@link MigrationState}.
 */
public final class MigrationStateMachine {
  private MigrationStateMachine() {}

  public static MigrationState next(MigrationState state, MigrationEvent event) {
    return switch (state) {
      case Preflight s ->
          switch (event) {
            case PreflightPassed e -> new Preparing(e.plan());
            default -> rollbackOrRefuse(s, event, null);
          };
      case Preparing s ->
          switch (event) {
            case DestinationPrepared e -> {
              Setup setup = new Setup(s.plan(), e.offer(), e.measured());
              yield s.plan().copiesDisks() ? new Mirroring(setup) : new PreCopy(setup, 1, false);
            }
            default -> rollbackOrRefuse(s, event, s.plan());
          };
      case Mirroring s ->
          switch (event) {
            case MirrorsReady e -> new PreCopy(s.setup(), 1, false);
            default -> rollbackOrRefuse(s, event, s.setup().plan());
          };
      case PreCopy s ->
          switch (event) {
            case PassStarted e ->
                new PreCopy(s.setup(), Math.max(s.pass(), e.pass()), s.postcopy());
            case PostcopyStarted e -> new PreCopy(s.setup(), s.pass(), true);
            case PreSwitchoverReached e -> new Switchover(s.setup());
            case StreamCompleted e ->
                new Handover(s.setup().plan(), s.setup().plan().handoverEpoch());
            case PostcopySwitched e ->
                new Handover(s.setup().plan(), s.setup().plan().handoverEpoch());
            case AbortRequested e when s.postcopy() ->
                throw new IllegalTransitionException(
                    s, event, "in post-copy the destination already runs the guest");
            case Fault f when s.postcopy() ->
                new Failed(
                    MigrationPhase.PRECOPY,
                    f.cause() + " (during post-copy: the guest's memory is split between hosts)");
            default -> rollbackOrRefuse(s, event, s.setup().plan());
          };
      case Switchover s ->
          switch (event) {
            case StreamCompleted e ->
                new Handover(s.setup().plan(), s.setup().plan().handoverEpoch());
            case PostcopySwitched e ->
                new Handover(s.setup().plan(), s.setup().plan().handoverEpoch());
            default -> rollbackOrRefuse(s, event, s.setup().plan());
          };
      case Handover s ->
          switch (event) {
            case HandedOver e -> new Cleanup(s.plan(), e.epoch());
            case HandoverRefused e ->
                new RollingBack(
                    MigrationPhase.HANDOVER, false, "handover refused: " + e.cause(), s.plan());
            case HandoverUnknown e ->
                new Failed(
                    MigrationPhase.HANDOVER,
                    e.cause()
                        + "; the VM is kept paused on the source because the destination may be"
                        + " running it");
            case AbortRequested e ->
                throw new IllegalTransitionException(
                    s, event, "the destination is taking over the VM; abort is no longer possible");
            default -> throw new IllegalTransitionException(s, event, "not expected in handover");
          };
      case Cleanup s ->
          switch (event) {
            case CleanedUp e -> new Completed(s.epoch());
            case PostcopyLost e -> new Failed(MigrationPhase.CLEANUP, e.cause());
            // The VM runs on the destination: a cleanup problem is a warning, not a failure.
            case Fault e -> new Completed(s.epoch());
            case AbortRequested e ->
                throw new IllegalTransitionException(
                    s,
                    event,
                    "the VM already runs on the destination; abort is no longer possible");
            default -> throw new IllegalTransitionException(s, event, "not expected in cleanup");
          };
      case RollingBack s ->
          switch (event) {
            case RolledBack e ->
                s.aborted() ? new Aborted(s.from(), s.reason()) : new Failed(s.from(), s.reason());
            // A second abort while rolling back changes nothing (abort is idempotent).
            case AbortRequested e -> s;
            case Fault e -> new Failed(s.from(), s.reason() + "; rollback also hit: " + e.cause());
            default -> throw new IllegalTransitionException(s, event, "rolling back");
          };
      case Completed s -> throw new IllegalTransitionException(s, event, "migration is over");
      case Aborted s ->
          event instanceof AbortRequested ? s : throwIllegal(s, event, "migration was aborted");
      case Failed s -> throw new IllegalTransitionException(s, event, "migration is over");
    };
  }

  private static MigrationState rollbackOrRefuse(
      MigrationState s, MigrationEvent event, Plan plan) {
    Plan undo = plan == null ? Plan.none(0) : plan;
    return switch (event) {
      case AbortRequested e -> new RollingBack(s.phase(), true, e.reason(), undo);
      case Fault e -> new RollingBack(s.phase(), false, e.cause(), undo);
      default -> throw new IllegalTransitionException(s, event, "not expected in " + s.label());
    };
  }

  private static MigrationState throwIllegal(MigrationState s, MigrationEvent e, String why) {
    throw new IllegalTransitionException(s, e, why);
  }

  /** Whether an abort is still possible in this state (before handover, not over). */
  public static boolean abortable(MigrationState state) {
    return !state.terminal()
        && !(state instanceof Handover)
        && !(state instanceof Cleanup)
        && !(state instanceof PreCopy p && p.postcopy());
  }

  /** Whether {@code next(state, event)} is defined; for the exhaustive table test. */
  static boolean accepts(MigrationState state, MigrationEvent event) {
    try {
      next(state, event);
      return true;
    } catch (IllegalTransitionException e) {
      return false;
    }
  }
}
