package dev.ferry.agent.migration.outgoing;

import dev.ferry.api.AgentEndpoint;
import dev.ferry.api.AgentUnreachableException;
import dev.ferry.api.ApiException;
import dev.ferry.api.IncomingOffer;
import dev.ferry.migration.MigrationEvent;
import dev.ferry.migration.MigrationPhase;
import dev.ferry.migration.MigrationProblem;
import dev.ferry.migration.MigrationState;
import dev.ferry.migration.Plan;
import dev.ferry.qmp.MigrationCommand.Migrate;
import dev.ferry.qmp.MigrationCommand.MigratePause;
import dev.ferry.qmp.MigrationCommand.QueryMigrate;
import dev.ferry.qmp.MigrationInfo;
import dev.ferry.qmp.MigrationStatus;
import dev.ferry.qmp.QmpException;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * Cleanup: the destination owns and runs the VM. The source QEMU quits, its taps go, the VM is
 * forgotten here, and the source copies of migrated disks are removed (unless kept). Idempotent, so
 * a restart during cleanup simply runs it again; a problem here is a warning, never a rollback.
 */
final class CleanupPhase {
  private static final Duration PAUSED_WARNING_EVERY = Duration.ofSeconds(10);
  private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
  private static final Duration RECOVERY_PATIENCE = Duration.ofMinutes(10);

  private final CopyClock copyClock;

  CleanupPhase(CopyClock copyClock) {
    this.copyClock = copyClock;
  }

  Step run(PhaseContext ctx, MigrationState.Cleanup state) {
    Optional<String> lost = awaitPostcopyEnd(ctx);
    if (lost.isPresent()) {
      return new Step(new MigrationEvent.PostcopyLost(lost.get()), lost.get());
    }
    try {
      ctx.handle().release(ctx.destHost(), state.epoch());
      ctx.host().vms().forgetMigratedAway(ctx.vm());
      for (Plan.DiskCopy c : state.plan().copies()) {
        if (ctx.settings().keepSource()) {
          ctx.journal().note("kept the source copy of " + c.disk().id() + " at " + c.disk().path());
        } else {
          Files.deleteIfExists(c.disk().path());
          ctx.journal()
              .note("removed the source copy of " + c.disk().id() + " at " + c.disk().path());
        }
      }
      ctx.journal().enterPhase(MigrationPhase.CLEANUP);
      return new Step(new MigrationEvent.CleanedUp(), "source QEMU and host resources released");
    } catch (RuntimeException | IOException e) {
      ctx.journal().warn("cleanup on " + ctx.host().hostName() + ": " + e.getMessage());
      return new Step(
          new MigrationEvent.Fault(new MigrationProblem.Unexpected(e.getMessage())),
          "cleanup problem: " + e.getMessage());
    }
  }

  /**
   * In post-copy the guest already runs on the destination and pulls from here the memory it still
   * lacks: the source QEMU must stay until QEMU reports the stream completed. A stream that stops
   * moving (a cut link leaves TCP silent) is paused ({@code migrate-pause}); a paused stream is
   * recovered — the destination listens again ({@code POST /v1/incoming/ID/recover}, its answer
   * checked as any offer) and the source resumes it ({@code migrate resume=true}) — retried with a
   * backoff up to 10 s for as long as it takes, each attempt on the record. A stream that fails
   * outright is recorded (the destination's guest then misses memory: it is named, never hidden).
   */
  private Optional<String> awaitPostcopyEnd(PhaseContext ctx) {
    MigrationStatus status;
    try {
      status = query(ctx).status();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
    if (!status.isPostcopy()) {
      return Optional.empty();
    }
    ctx.journal()
        .note(
            "post-copy: the guest runs on "
                + ctx.destHost()
                + "; the source stays until the rest of its memory has streamed");
    Instant now = ctx.clock().instant();
    StallDetector stall = new StallDetector(ctx.timings().stallTimeout(), now);
    Instant warnAt = now.plus(PAUSED_WARNING_EVERY);
    Instant pausedSince = null;
    Instant nextAttempt = now;
    Duration backoff = FIRST_BACKOFF;
    int attempts = 0;
    while (true) {
      ctx.poll(ctx.timings().tick());
      MigrationInfo info;
      try {
        info = query(ctx);
      } catch (RuntimeException e) {
        ctx.journal().warn("post-copy: the source QEMU does not answer: " + e.getMessage());
        return Optional.empty();
      }
      now = ctx.clock().instant();
      status = info.status();
      switch (status) {
        case COMPLETED -> {
          StreamStats.record(ctx, copyClock);
          ctx.journal()
              .note(
                  "post-copy: stream completed"
                      + (attempts > 0 ? " after " + attempts + " recovery attempt(s)" : ""));
          return Optional.empty();
        }
        case FAILED, CANCELLED -> {
          ctx.journal()
              .warn(
                  "post-copy stream "
                      + status.name().toLowerCase(Locale.ROOT)
                      + " before the destination had all the guest's memory: "
                      + ctx.qemuError());
          return Optional.of(
              "post-copy stream "
                  + status.name().toLowerCase(Locale.ROOT)
                  + ": the guest's memory is split between the hosts");
        }
        case POSTCOPY_ACTIVE -> {
          pausedSince = null;
          long moved = info.ram().map(st -> st.transferred().bytes()).orElse(0L);
          Optional<Duration> still = stall.sample(moved, now);
          if (still.isPresent()) {
            pause(ctx, still.get());
            stall = new StallDetector(ctx.timings().stallTimeout(), now);
          }
        }
        case POSTCOPY_PAUSED -> {
          pausedSince = pausedSince == null ? now : pausedSince;
          if (Duration.between(pausedSince, now).compareTo(RECOVERY_PATIENCE) > 0) {
            return Optional.of(
                "post-copy could not be recovered within "
                    + RECOVERY_PATIENCE.toMinutes()
                    + " min: the guest waits on "
                    + ctx.destHost()
                    + " for memory the source still holds");
          }
          if (!now.isBefore(nextAttempt)) {
            attempts++;
            Recovered result = recover(ctx, attempts);
            if (result == Recovered.GONE) {
              return Optional.of(
                  "post-copy lost: the destination QEMU is gone, and with it the part of the"
                      + " guest's memory it held");
            }
            if (result == Recovered.RESUMED) {
              backoff = FIRST_BACKOFF;
              stall = new StallDetector(ctx.timings().stallTimeout(), now);
            } else {
              backoff =
                  backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                      ? MAX_BACKOFF
                      : backoff.multipliedBy(2);
            }
            nextAttempt = now.plus(backoff);
          }
        }
        default -> {
          if (!now.isBefore(warnAt)) {
            ctx.journal().warn("post-copy is " + status.name().toLowerCase(Locale.ROOT));
            warnAt = now.plus(PAUSED_WARNING_EVERY);
          }
        }
      }
    }
  }

  private static MigrationInfo query(PhaseContext ctx) {
    return ctx.handle().qmp().call(new QueryMigrate(), ctx.timings().qmpTimeout());
  }

  private static void pause(PhaseContext ctx, Duration still) {
    try {
      ctx.handle().qmp().call(new MigratePause(), ctx.timings().qmpTimeout());
      ctx.journal()
          .note(
              "post-copy: no memory moved for "
                  + still.toSeconds()
                  + " s; stream paused to recover it");
    } catch (QmpException e) {
      ctx.journal().warn("post-copy: cannot pause the stalled stream: " + e.getMessage());
    }
  }

  /** What one recovery attempt came to. */
  private enum Recovered {
    RESUMED,
    NOT_YET,
    GONE
  }

  /** One recovery attempt. */
  private static Recovered recover(PhaseContext ctx, int attempt) {
    String what = "post-copy recovery attempt " + attempt + ": ";
    IncomingOffer offer;
    try {
      offer = ctx.dest().recoverPostcopy(ctx.id().value());
    } catch (ApiException e) {
      ctx.journal().note(what + ctx.destHost() + " cannot listen again: " + e.getMessage());
      return e.status() == 410 ? Recovered.GONE : Recovered.NOT_YET;
    } catch (AgentUnreachableException e) {
      ctx.journal().note(what + ctx.destHost() + " unreachable: " + e.getMessage());
      return Recovered.NOT_YET;
    }
    switch (OfferCheck.check(ctx.id(), offer, AgentEndpoint.parse(ctx.destUrl()), false)) {
      case OfferCheck.Verdict.Refused r -> {
        ctx.journal().warn(what + "refused the destination's answer: " + r.reason());
        return Recovered.NOT_YET;
      }
      case OfferCheck.Verdict.Accepted a -> {
        try {
          ctx.handle()
              .qmp()
              .call(
                  new Migrate(a.offer().uri().text(), Optional.of(true)),
                  ctx.timings().qmpTimeout());
          ctx.journal().note(what + "resuming the stream to " + a.offer().uri().text());
          return Recovered.RESUMED;
        } catch (QmpException e) {
          ctx.journal().note(what + "the source QEMU cannot resume: " + e.getMessage());
          return Recovered.NOT_YET;
        }
      }
    }
  }
}
