package dev.ferry.agent.migration.outgoing;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import dev.ferry.agent.cluster.LeaseOutcome;
import dev.ferry.api.AgentUnreachableException;
import dev.ferry.api.ApiException;
import dev.ferry.api.IncomingStatus;
import dev.ferry.migration.MigrationEvent;
import dev.ferry.migration.MigrationState;
import java.time.Duration;
import java.util.Optional;

/**
 * Handover: ownership moves to the destination. The manager's lease moves first (compare-and-set on
 * the epoch), then the destination is asked to take the VM over with the new epoch — it resumes the
 * guest. A refusal rolls back (the guest resumes here); an answer that never comes leaves the
 * outcome unknown, and the guest stays paused here: never two running copies. Retries last the
 * destination's keepalive timeout plus {@code handoverRetry}: past that the destination's watchdog
 * would have removed its side.
 */
final class HandoverPhase {
  /** The destination has not confirmed yet; worth asking again. */
  private static final class NotYet extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotYet(String why) {
      super(why, null, false, false);
    }
  }

  Step run(PhaseContext ctx, MigrationState.Handover state) {
    long epoch = state.epoch();
    LeaseOutcome lease =
        ctx.host()
            .vms()
            .transferLease(ctx.vm(), ctx.destHost(), state.plan().sourceEpoch(), ctx.id().value());
    switch (lease) {
      case LeaseOutcome.Moved m -> {}
      // An unconfirmed transfer is treated as refused: the destination is never told to run a VM
      // whose lease it may not hold.
      case LeaseOutcome.Refused r -> {
        return refused(r.reason());
      }
      case LeaseOutcome.Unconfirmed u -> {
        return refused(u.reason());
      }
    }
    Duration patience = ctx.timings().keepAliveTimeout().plus(ctx.timings().handoverRetry());
    RetryPolicy<Step> retry =
        RetryPolicy.<Step>builder()
            .handle(NotYet.class)
            .withDelay(ctx.timings().handoverRetryDelay())
            .withMaxDuration(patience)
            .withMaxRetries(-1)
            .build();
    try {
      return Failsafe.with(retry).get(() -> attempt(ctx, epoch));
    } catch (NotYet e) {
      return unknown(ctx, e.getMessage());
    } catch (FailsafeException e) {
      if (e.getCause() instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return unknown(ctx, "handover interrupted: " + e.getCause());
    }
  }

  private static Step attempt(PhaseContext ctx, long epoch) {
    try {
      IncomingStatus st = ctx.dest().handover(ctx.id().value(), epoch);
      if (st.state() == IncomingStatus.State.HANDED_OVER) {
        return handedOver(ctx, st.epoch().orElse(epoch));
      }
      throw new NotYet("destination reports " + st.state().text());
    } catch (ApiException e) {
      return refused(e.getMessage());
    } catch (AgentUnreachableException e) {
      Optional<IncomingStatus> st = statusQuietly(ctx);
      if (st.isPresent() && st.get().state() == IncomingStatus.State.HANDED_OVER) {
        return handedOver(ctx, st.get().epoch().orElse(epoch));
      }
      throw new NotYet(e.getMessage());
    }
  }

  static Optional<IncomingStatus> statusQuietly(PhaseContext ctx) {
    try {
      return Optional.of(ctx.dest().incomingStatus(ctx.id().value()));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Step handedOver(PhaseContext ctx, long epoch) {
    ctx.keepAlive().stop();
    return new Step(
        new MigrationEvent.HandedOver(epoch),
        ctx.destHost() + " owns and runs the VM (epoch " + epoch + ")");
  }

  private static Step refused(String why) {
    return new Step(new MigrationEvent.HandoverRefused(why), why);
  }

  private static Step unknown(PhaseContext ctx, String lastProblem) {
    ctx.keepAlive().stop();
    return new Step(
        new MigrationEvent.HandoverUnknown(
            "handover to " + ctx.destHost() + " unconfirmed: " + lastProblem),
        lastProblem);
  }
}
