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
 * the epoch; it is pending until the destination activates it), then the destination is asked to
 * take the VM over with the new epoch — it activates the lease and resumes the guest. If that does
 * not end in a confirmed handover (a refusal, a 404, no answer for the destination's keepalive
 * timeout plus {@code handoverRetry}), the handover is {@linkplain HandoverSettlement settled}: the
 * source resumes only once the manager gave the lease back (or, standalone, once the destination
 * durably removed its side); if the destination activated it first, the VM is the destination's.
 * What cannot be settled leaves the guest paused here: never two running copies.
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
      // Refused or unconfirmed, the destination is never told to run a VM whose lease it may not
      // hold, and the source resumes only if the lease is (back) with it.
      case LeaseOutcome.Refused r -> {
        return HandoverSettlement.settle(ctx, state, r.reason());
      }
      case LeaseOutcome.Unconfirmed u -> {
        return HandoverSettlement.settle(ctx, state, u.reason());
      }
    }
    Duration patience = patience(ctx);
    RetryPolicy<Step> retry =
        RetryPolicy.<Step>builder()
            .handle(NotYet.class)
            .withDelay(ctx.timings().handoverRetryDelay())
            .withMaxDuration(patience)
            .withMaxRetries(-1)
            .build();
    String problem;
    try {
      return Failsafe.with(retry).get(() -> attempt(ctx, epoch));
    } catch (NotYet e) {
      problem = e.getMessage();
    } catch (Refusal e) {
      problem = e.getMessage();
    } catch (FailsafeException e) {
      if (e.getCause() instanceof InterruptedException) {
        Thread.currentThread().interrupt();
        return unknown(ctx, "handover interrupted");
      }
      problem = String.valueOf(e.getCause());
    }
    return HandoverSettlement.settle(ctx, state, problem);
  }

  /** How long the destination is asked, and then how long settling is tried. */
  static Duration patience(PhaseContext ctx) {
    return ctx.timings().keepAliveTimeout().plus(ctx.timings().handoverRetry());
  }

  /** The destination answered with an error: stop asking it and settle. */
  private static final class Refusal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Refusal(String why) {
      super(why, null, false, false);
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
      if (e.status() == 503) {
        throw new NotYet(e.getMessage());
      }
      throw new Refusal(e.getMessage());
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

  static Step handedOver(PhaseContext ctx, long epoch) {
    ctx.keepAlive().stop();
    return new Step(
        new MigrationEvent.HandedOver(epoch),
        ctx.destHost() + " owns and runs the VM (epoch " + epoch + ")");
  }

  static Step refused(String why) {
    return new Step(new MigrationEvent.HandoverRefused(why), why);
  }

  static Step unknown(PhaseContext ctx, String lastProblem) {
    ctx.keepAlive().stop();
    return new Step(
        new MigrationEvent.HandoverUnknown(
            "handover to " + ctx.destHost() + " unconfirmed: " + lastProblem),
        lastProblem);
  }
}
