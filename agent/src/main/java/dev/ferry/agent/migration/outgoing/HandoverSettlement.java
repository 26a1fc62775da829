package dev.ferry.agent.migration.outgoing;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import dev.ferry.agent.cluster.LeaseReclaim;
import dev.ferry.api.AgentUnreachableException;
import dev.ferry.api.ApiException;
import dev.ferry.api.IncomingStatus;
import dev.ferry.api.Lease;
import dev.ferry.migration.MigrationState;
import dev.ferry.qmp.MigrationCommand.QueryMigrate;
import java.time.Duration;
import java.util.Optional;

/**
 * Decides who runs the VM after a handover that did not end in a confirmation, so that the guest is
 * neither resumed twice nor left paused on both hosts. The decision is never the source's alone:
 *
 * <ul>
 *   <li>With a manager, the source asks it to {@linkplain LeaseReclaim reclaim} the lease. The
 *       destination must activate the same lease before it resumes the guest, and both are
 *       compare-and-sets, so exactly one wins: reclaimed, the source records the new epoch and
 *       rolls back (the guest resumes here); activated by the destination, the VM is the
 *       destination's and the source cleans up.
 *   <li>Standalone, the destination's journal decides: the source asks it to remove its side, and
 *       rolls back only once it says it did (or that it never had one); a destination that is
 *       taking over or took over refuses, and the VM is then its.
 * </ul>
 *
 * <p>A manager or destination that does not answer is asked again, with a backoff from the
 * handover's retry delay up to 10 s, for {@code settlePatience} (an hour in production): a link or
 * an agent that comes back settles it by itself, and the guest resumes here or is released. Only
 * past that does the guest stay paused here, the migration failed as unconfirmed.
 *
 * <p>In post-copy the source cannot roll back (QEMU cannot cancel a post-copy stream): a handover
 * that fails there still settles the lease, but the guest is then kept paused here, whole (the
 * destination never ran it), with the reason on the record, for an operator to resume.
 */
final class HandoverSettlement {
  private static final Duration MAX_DELAY = Duration.ofSeconds(10);

  private HandoverSettlement() {}

  /** Not settled yet; worth asking again. */
  private static final class Unsettled extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unsettled(String why) {
      super(why, null, false, false);
    }
  }

  static Step settle(PhaseContext ctx, MigrationState.Handover state, String problem) {
    ctx.journal().warn("handover not confirmed (" + problem + "); settling who runs the VM");
    Duration first = ctx.timings().handoverRetryDelay();
    Duration max = first.compareTo(MAX_DELAY) > 0 ? first : MAX_DELAY;
    RetryPolicy<Step> retry =
        RetryPolicy.<Step>builder()
            .handle(Unsettled.class)
            .withBackoff(first, max)
            .withMaxDuration(ctx.timings().settlePatience())
            .withMaxRetries(-1)
            .onRetry(
                e -> {
                  if (e.getAttemptCount() % 10 == 0) {
                    ctx.journal()
                        .note(
                            "settling the handover, attempt "
                                + e.getAttemptCount()
                                + ": "
                                + e.getLastException().getMessage());
                  }
                })
            .build();
    try {
      return Failsafe.with(retry).get(() -> once(ctx, state, problem));
    } catch (Unsettled e) {
      return HandoverPhase.unknown(ctx, problem + "; not settled: " + e.getMessage());
    } catch (FailsafeException e) {
      if (e.getCause() instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return HandoverPhase.unknown(ctx, problem + "; settling interrupted");
    }
  }

  private static Step once(PhaseContext ctx, MigrationState.Handover state, String problem) {
    LeaseReclaim reclaim =
        ctx.host()
            .vms()
            .reclaimLease(ctx.vm(), ctx.destHost(), state.plan().sourceEpoch(), ctx.id().value());
    return switch (reclaim) {
      case LeaseReclaim.NoManager n -> standalone(ctx, state, problem);
      case LeaseReclaim.Reclaimed r -> {
        ctx.handle().reclaimed(r.epoch());
        if (inPostcopy(ctx)) {
          yield keptInPostcopy(ctx, problem + "; the lease is back here at epoch " + r.epoch());
        }
        yield HandoverPhase.refused(
            problem
                + "; the lease is back with "
                + ctx.host().hostName()
                + " at epoch "
                + r.epoch());
      }
      case LeaseReclaim.HeldElsewhere h -> {
        if (h.current().isPresent() && h.current().get().activeAt(ctx.destHost(), state.epoch())) {
          // The destination activated the lease. It runs the guest unless it says it removed its
          // side (its QEMU failed at cont and the lease could not be given back yet): then the
          // guest stays paused here, whole, rather than released.
          Optional<IncomingStatus> st = HandoverPhase.statusQuietly(ctx);
          if (st.isPresent() && st.get().state() == IncomingStatus.State.ABORTED) {
            throw new Unsettled(
                ctx.destHost()
                    + " holds the lease but removed its side; waiting for the lease back");
          }
          yield HandoverPhase.handedOver(ctx, state.epoch());
        }
        yield HandoverPhase.unknown(
            ctx,
            problem
                + "; the manager will not give the lease back ("
                + h.current().map(HandoverSettlement::describe).orElse("it knows no such VM")
                + ")");
      }
      case LeaseReclaim.Unreachable u -> throw new Unsettled(u.reason());
    };
  }

  private static Step standalone(PhaseContext ctx, MigrationState.Handover state, String problem) {
    String id = ctx.id().value();
    try {
      IncomingStatus st = ctx.dest().abortIncoming(id);
      return switch (st.state()) {
        case ABORTED ->
            inPostcopy(ctx)
                ? keptInPostcopy(ctx, problem + "; the destination removed its side")
                : HandoverPhase.refused(problem + "; the destination removed its side");
        case HANDED_OVER -> HandoverPhase.handedOver(ctx, st.epoch().orElse(state.epoch()));
        case RECEIVING -> throw new Unsettled("the destination still receives");
      };
    } catch (ApiException e) {
      if (e.status() == 404) {
        return inPostcopy(ctx)
            ? keptInPostcopy(ctx, problem + "; the destination has no record of it")
            : HandoverPhase.refused(problem + "; the destination has no record of it");
      }
      IncomingStatus st = HandoverPhase.statusQuietly(ctx).orElse(null);
      if (st != null && st.state() == IncomingStatus.State.HANDED_OVER) {
        return HandoverPhase.handedOver(ctx, st.epoch().orElse(state.epoch()));
      }
      throw new Unsettled(e.getMessage());
    } catch (AgentUnreachableException e) {
      throw new Unsettled(e.getMessage());
    }
  }

  private static boolean inPostcopy(PhaseContext ctx) {
    try {
      return ctx.handle()
          .qmp()
          .call(new QueryMigrate(), ctx.timings().qmpTimeout())
          .status()
          .isPostcopy();
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static Step keptInPostcopy(PhaseContext ctx, String why) {
    return HandoverPhase.unknown(
        ctx,
        why
            + "; in post-copy the source cannot roll back: the guest stays paused here, whole"
            + " (the destination never ran it)");
  }

  private static String describe(Lease l) {
    return l.host()
        + " holds it at epoch "
        + l.epoch()
        + (l.active() ? "" : ", pending from " + l.pendingFrom().orElse("?"));
  }
}
