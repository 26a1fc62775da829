package dev.ferry.agent.migration.outgoing;

import dev.ferry.api.AgentEndpoint;
import dev.ferry.api.AgentUnreachableException;
import dev.ferry.api.ApiException;
import dev.ferry.api.IncomingOffer;
import dev.ferry.api.IncomingRequest;
import dev.ferry.migration.Measured;
import dev.ferry.migration.MigrationEvent;
import dev.ferry.migration.MigrationProblem;
import dev.ferry.migration.MigrationState;
import dev.ferry.migration.Offer;
import dev.ferry.migration.Plan;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Prepare: the destination starts its QEMU from the same definition, waiting for the stream (and
 * exporting empty copies of the disks to copy), while the source measures the guest's dirty rate
 * and the link and makes its prediction. The keepalive starts here: from now on the destination
 * removes its side by itself if the source goes silent.
 */
final class PreparePhase {
  Step run(PhaseContext ctx, MigrationState.Preparing state) {
    Plan plan = state.plan();
    CompletableFuture<Measured> measuring =
        CompletableFuture.supplyAsync(
            () -> new PreflightChecks(ctx).measure(plan),
            r -> Thread.ofVirtual().name("measure-" + ctx.id()).start(r));
    IncomingOffer offer;
    try {
      offer = ctx.dest().prepareIncoming(request(ctx, plan));
    } catch (ApiException | AgentUnreachableException e) {
      measuring.cancel(true);
      return Step.fault(
          new MigrationProblem.DestinationFailed(
              ctx.destHost(),
              "destination " + ctx.destHost() + " could not prepare: " + e.getMessage()));
    }
    ctx.keepAlive().start();
    Offer offered;
    switch (OfferCheck.check(
        ctx.id(), offer, AgentEndpoint.parse(ctx.destUrl()), plan.copiesDisks())) {
      case OfferCheck.Verdict.Accepted a -> offered = a.offer();
      case OfferCheck.Verdict.Refused r -> {
        measuring.cancel(true);
        return Step.fault(
            new MigrationProblem.DestinationFailed(
                ctx.destHost(), "refused the offer of " + ctx.destHost() + ": " + r.reason()));
      }
    }
    Measured m;
    try {
      m = measuring.join();
    } catch (CompletionException e) {
      return Step.fault(
          new MigrationProblem.Unexpected(
              "measuring before pre-copy failed: " + e.getCause().getMessage()));
    }
    ctx.journal().update(r -> r.withMeasured(m));
    ctx.journal()
        .note(
            "measured dirty rate "
                + m.dirtyRate()
                + ", link "
                + m.link()
                + "; predicted: "
                + m.prediction().summary());
    for (Signal s : ctx.inbox().drain()) {
      Optional<Step> end = ctx.common(s);
      if (end.isPresent()) {
        return end.get();
      }
    }
    return new Step(
        new MigrationEvent.DestinationPrepared(offered, m),
        "destination listens on "
            + offered.uri()
            + (plan.copiesDisks()
                ? "; " + plan.copies().size() + " disk(s) to copy over NBD"
                : ""));
  }

  private static IncomingRequest request(PhaseContext ctx, Plan plan) {
    return new IncomingRequest(
        ctx.id(),
        ctx.host().hostName(),
        ctx.handle().spec(),
        ctx.handle().epoch(),
        plan.capabilities(),
        ctx.settings().multifdChannels(),
        ctx.timings().keepAliveTimeout().toMillis(),
        plan.copies().stream()
            .map(
                c ->
                    new IncomingRequest.DiskCopy(
                        c.disk().id(),
                        c.disk().format(),
                        c.virtualSize().bytes(),
                        c.allocated().bytes()))
            .toList());
  }
}
