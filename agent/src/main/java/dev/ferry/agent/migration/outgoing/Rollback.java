package dev.ferry.agent.migration.outgoing;

import dev.ferry.agent.blockjobs.BlockJobs;
import dev.ferry.api.AgentUnreachableException;
import dev.ferry.api.ApiException;
import dev.ferry.migration.MigrationEvent;
import dev.ferry.migration.MigrationPhase;
import dev.ferry.migration.MigrationState;
import dev.ferry.migration.Plan;
import dev.ferry.qmp.MigrationCommand.MigrateCancel;
import dev.ferry.qmp.MigrationCommand.QueryMigrate;
import dev.ferry.qmp.MigrationStatus;
import dev.ferry.qmp.QmpException;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Rollback: undoes a migration that was aborted or failed before handover, so the VM runs on the
 * source and the destination holds nothing. Every step is idempotent and decided from the journal
 * (the phase rolled back from and the plan), not from memory, so a rollback interrupted by a
 * restart simply runs again: mirrors named in the plan are cancelled and their NBD nodes removed,
 * QEMU's migration is cancelled if it still runs, the destination is told to remove its side (its
 * watchdog does it anyway once the keepalives stop), and the guest resumes here.
 */
final class Rollback {
  Step run(PhaseContext ctx, MigrationState.RollingBack state) {
    MigrationPhase from = state.from();
    if (from.ordinal() >= MigrationPhase.DISK_MIRROR.ordinal() && state.plan().copiesDisks()) {
      cancelMirrors(ctx, state.plan());
    }
    if (from.ordinal() >= MigrationPhase.PRECOPY.ordinal()) {
      cancelStream(ctx);
    }
    ctx.keepAlive().stop();
    if (from != MigrationPhase.PREFLIGHT) {
      removeDestinationSide(ctx);
    }
    try {
      ctx.handle().rollBack();
    } catch (RuntimeException e) {
      ctx.journal().warn("resuming on the source: " + e.getMessage());
    }
    return new Step(
        new MigrationEvent.RolledBack(),
        from == MigrationPhase.PREFLIGHT
            ? "nothing was changed"
            : "VM running on " + ctx.host().hostName());
  }

  private static void cancelMirrors(PhaseContext ctx, Plan plan) {
    BlockJobs jobs = new BlockJobs(ctx.handle().qmp(), ctx.timings().qmpTimeout());
    try {
      Set<String> pending = new HashSet<>(jobs.runningIds());
      pending.retainAll(plan.copies().stream().map(Plan.DiskCopy::mirrorJob).toList());
      for (String job : pending) {
        try {
          jobs.forceCancel(job);
        } catch (QmpException e) {
          ctx.journal().warn("cancelling " + job + ": " + e.getMessage());
        }
      }
      Instant deadline = ctx.clock().instant().plus(ctx.timings().cancelWait());
      while (!pending.isEmpty() && ctx.clock().instant().isBefore(deadline)) {
        Optional<Signal> s = ctx.poll(ctx.timings().tick());
        if (s.isPresent() && s.get() instanceof Signal.JobEnded j) {
          pending.remove(j.job());
        } else if (s.isEmpty()) {
          pending.retainAll(jobs.runningIds());
        }
      }
      Set<String> nodes = jobs.nodeNames();
      for (Plan.DiskCopy c : plan.copies()) {
        if (nodes.contains(c.nbdNode())) {
          try {
            jobs.deleteNode(c.nbdNode());
          } catch (QmpException e) {
            ctx.journal().warn("removing NBD node " + c.nbdNode() + ": " + e.getMessage());
          }
        }
      }
    } catch (QmpException e) {
      ctx.journal().warn("cancelling the disk mirrors: " + e.getMessage());
    }
  }

  private static void cancelStream(PhaseContext ctx) {
    try {
      MigrationStatus s =
          ctx.handle().qmp().call(new QueryMigrate(), ctx.timings().qmpTimeout()).status();
      if (s.isFinal() || s == MigrationStatus.NONE) {
        return;
      }
      ctx.handle().qmp().call(new MigrateCancel(), ctx.timings().qmpTimeout());
      Instant deadline = ctx.clock().instant().plus(ctx.timings().cancelWait());
      while (ctx.clock().instant().isBefore(deadline)) {
        Optional<Signal> signal = ctx.poll(ctx.timings().tick());
        MigrationStatus now =
            signal.isPresent() && signal.get() instanceof Signal.Qemu q
                ? q.status()
                : signal.isEmpty()
                    ? ctx.handle()
                        .qmp()
                        .call(new QueryMigrate(), ctx.timings().qmpTimeout())
                        .status()
                    : MigrationStatus.ACTIVE;
        if (now.isFinal() || now == MigrationStatus.NONE) {
          return;
        }
      }
      ctx.journal()
          .warn(
              "QEMU did not finish cancelling within "
                  + ctx.timings().cancelWait().toSeconds()
                  + " s");
    } catch (QmpException e) {
      ctx.journal().warn("cancelling the QEMU migration: " + e.getMessage());
    }
  }

  private static void removeDestinationSide(PhaseContext ctx) {
    try {
      ctx.dest().abortIncoming(ctx.id().value());
    } catch (ApiException e) {
      if (e.status() != 404) {
        ctx.journal().warn("destination refused to remove its side: " + e.getMessage());
      }
    } catch (AgentUnreachableException e) {
      ctx.journal()
          .warn(
              "destination "
                  + ctx.destHost()
                  + " unreachable; it removes its side itself within "
                  + ctx.timings().keepAliveTimeout().toSeconds()
                  + " s of silence");
    }
  }
}
