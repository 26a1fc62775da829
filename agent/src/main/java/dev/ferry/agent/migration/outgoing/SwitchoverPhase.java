package dev.ferry.agent.migration.outgoing;

import dev.ferry.agent.blockjobs.BlockJobs;
import dev.ferry.migration.MigrationEvent;
import dev.ferry.migration.MigrationProblem;
import dev.ferry.migration.MigrationState;
import dev.ferry.migration.Plan;
import dev.ferry.qmp.MigrationCommand.MigrateContinue;
import dev.ferry.qmp.MigrationStatus;
import dev.ferry.qmp.QmpException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Switchover: the guest is paused on the source ({@code pause-before-switchover}). The disk mirrors
 * are completed first — the destination's copies then match the paused guest's disks — then QEMU is
 * told to continue and sends the last memory and the device state. Ends when QEMU reports the
 * stream complete (the destination holds the whole guest, still paused), or, when the policy asked
 * for post-copy, once QEMU is in post-copy: the destination holds the device state and the handover
 * lets it run the guest while the rest of the memory streams (the cleanup waits for the stream).
 */
final class SwitchoverPhase {
  private final CopyClock copyClock;

  SwitchoverPhase(CopyClock copyClock) {
    this.copyClock = copyClock;
  }

  Step run(PhaseContext ctx, MigrationState.Switchover state) {
    Optional<Step> mirrors = completeMirrors(ctx, state.setup().plan());
    if (mirrors.isPresent()) {
      return mirrors.get();
    }
    ctx.qemu(new MigrateContinue(MigrationStatus.PRE_SWITCHOVER), "migrate-continue failed");
    Instant deadline = ctx.clock().instant().plus(ctx.timings().switchoverWait());
    while (true) {
      Optional<Signal> signal = ctx.poll(ctx.timings().tick());
      MigrationStatus status;
      if (signal.isPresent() && signal.get() instanceof Signal.Qemu q) {
        status = q.status();
      } else if (signal.isPresent()) {
        Optional<Step> end = ctx.common(signal.get());
        if (end.isPresent()) {
          return end.get();
        }
        continue;
      } else {
        status = ctx.queryMigrate().status();
      }
      switch (status) {
        case COMPLETED -> {
          StreamStats.collect(ctx, copyClock);
          return new Step(new MigrationEvent.StreamCompleted(), "stream completed");
        }
        case POSTCOPY_ACTIVE -> {
          return ctx.postcopySwitched();
        }
        case FAILED -> {
          return Step.fault(
              new MigrationProblem.QemuFailed(
                  "QEMU reports the switchover failed: " + ctx.qemuError()));
        }
        case CANCELLED -> {
          return Step.fault(
              new MigrationProblem.QemuFailed("QEMU cancelled the migration during switchover"));
        }
        default -> {
          if (ctx.clock().instant().isAfter(deadline)) {
            return Step.fault(
                new MigrationProblem.QemuFailed(
                    "switchover did not complete within "
                        + ctx.timings().switchoverWait().toSeconds()
                        + " s"));
          }
        }
      }
    }
  }

  /**
   * Ends every mirror consistently while the guest is paused: completing a ready mirror flushes its
   * last writes to the copy without switching the source over to it.
   */
  private static Optional<Step> completeMirrors(PhaseContext ctx, Plan plan) {
    if (!plan.copiesDisks()) {
      return Optional.empty();
    }
    BlockJobs jobs = new BlockJobs(ctx.handle().qmp(), ctx.timings().qmpTimeout());
    Set<String> pending = new HashSet<>();
    try {
      for (Plan.DiskCopy c : plan.copies()) {
        jobs.complete(c.mirrorJob());
        pending.add(c.mirrorJob());
      }
    } catch (QmpException e) {
      return Optional.of(
          Step.fault(
              new MigrationProblem.QemuFailed(
                  "could not complete the disk mirrors: " + e.getMessage())));
    }
    Duration patience = ctx.timings().mirrorCompletion();
    Instant deadline = ctx.clock().instant().plus(patience);
    while (!pending.isEmpty()) {
      if (ctx.clock().instant().isAfter(deadline)) {
        return Optional.of(
            Step.fault(
                new MigrationProblem.QemuFailed(
                    "disk mirrors did not complete within "
                        + patience.toSeconds()
                        + " s of the switchover")));
      }
      Optional<Signal> signal = ctx.poll(ctx.timings().tick());
      if (signal.isEmpty()) {
        // A job that ended before its event was routed here is simply no longer listed.
        try {
          pending.retainAll(jobs.runningIds());
        } catch (QmpException e) {
          throw ctx.fault(
              new MigrationProblem.QemuFailed("source QEMU does not answer: " + e.getMessage()));
        }
        continue;
      }
      switch (signal.get()) {
        case Signal.JobEnded j when pending.contains(j.job()) -> {
          if (j.error().isPresent()) {
            return Optional.of(
                Step.fault(
                    new MigrationProblem.MirrorFailed(
                        j.job(), "failed at switchover: " + j.error().get())));
          }
          pending.remove(j.job());
        }
        case Signal.JobReady r -> {}
        case Signal.JobEnded other -> {}
        case Signal.JobError e -> {}
        default -> {
          Optional<Step> end = ctx.common(signal.get());
          if (end.isPresent()) {
            return end;
          }
        }
      }
    }
    for (Plan.DiskCopy c : plan.copies()) {
      try {
        jobs.deleteNode(c.nbdNode());
      } catch (QmpException e) {
        ctx.journal().warn("removing NBD node " + c.nbdNode() + ": " + e.getMessage());
      }
    }
    ctx.journal()
        .note("disk mirrors completed; the destination's copies match the paused guest's disks");
    return Optional.empty();
  }
}
