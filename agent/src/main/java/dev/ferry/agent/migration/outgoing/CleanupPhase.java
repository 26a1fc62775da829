package dev.ferry.agent.migration.outgoing;

import dev.ferry.migration.MigrationEvent;
import dev.ferry.migration.MigrationPhase;
import dev.ferry.migration.MigrationProblem;
import dev.ferry.migration.MigrationState;
import dev.ferry.migration.Plan;
import dev.ferry.qmp.MigrationCommand.QueryMigrate;
import dev.ferry.qmp.MigrationStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Cleanup: the destination owns and runs the VM. The source QEMU quits, its taps go, the VM is
 * forgotten here, and the source copies of migrated disks are removed (unless kept). Idempotent, so
 * a restart during cleanup simply runs it again; a problem here is a warning, never a rollback.
 */
final class CleanupPhase {
  private static final Duration PAUSED_WARNING_EVERY = Duration.ofSeconds(10);

  private final CopyClock copyClock;

  CleanupPhase(CopyClock copyClock) {
    this.copyClock = copyClock;
  }

  Step run(PhaseContext ctx, MigrationState.Cleanup state) {
    awaitPostcopyEnd(ctx);
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
   * lacks: the source QEMU must stay until QEMU reports the stream completed. A stream that fails
   * is recorded (the destination's guest then misses memory: it is named, never hidden); one that
   * QEMU paused (the link broke) is waited for, with a warning every 10 s.
   */
  private void awaitPostcopyEnd(PhaseContext ctx) {
    MigrationStatus status;
    try {
      status = ctx.handle().qmp().call(new QueryMigrate(), ctx.timings().qmpTimeout()).status();
    } catch (RuntimeException e) {
      return;
    }
    if (!status.isPostcopy()) {
      return;
    }
    ctx.journal()
        .note(
            "post-copy: the guest runs on "
                + ctx.destHost()
                + "; the source stays until the rest of its memory has streamed");
    Instant warnAt = ctx.clock().instant().plus(PAUSED_WARNING_EVERY);
    while (true) {
      Optional<Signal> signal = ctx.poll(ctx.timings().tick());
      if (signal.isPresent() && signal.get() instanceof Signal.Qemu q) {
        status = q.status();
      } else {
        try {
          status = ctx.handle().qmp().call(new QueryMigrate(), ctx.timings().qmpTimeout()).status();
        } catch (RuntimeException e) {
          ctx.journal().warn("post-copy: the source QEMU does not answer: " + e.getMessage());
          return;
        }
      }
      switch (status) {
        case COMPLETED -> {
          StreamStats.record(ctx, copyClock);
          ctx.journal().note("post-copy: stream completed");
          return;
        }
        case FAILED, CANCELLED -> {
          ctx.journal()
              .warn(
                  "post-copy stream "
                      + status.name().toLowerCase(java.util.Locale.ROOT)
                      + " before the destination had all the guest's memory: "
                      + ctx.qemuError());
          return;
        }
        default -> {
          if (status != MigrationStatus.POSTCOPY_ACTIVE
              && !ctx.clock().instant().isBefore(warnAt)) {
            ctx.journal().warn("post-copy is " + status.name().toLowerCase(java.util.Locale.ROOT));
            warnAt = ctx.clock().instant().plus(PAUSED_WARNING_EVERY);
          }
        }
      }
    }
  }
}
