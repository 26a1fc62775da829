package dev.ferry.agent.migration.outgoing;

import dev.ferry.agent.blockjobs.BlockJobs;
import dev.ferry.agent.storage.LiveNodes;
import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import dev.ferry.migration.MigrationEvent;
import dev.ferry.migration.MigrationPhase;
import dev.ferry.migration.MigrationProblem;
import dev.ferry.migration.MigrationState;
import dev.ferry.migration.Offer;
import dev.ferry.migration.Plan;
import dev.ferry.migration.Progress;
import dev.ferry.qmp.QmpException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Disk mirror (storage migration): every disk the destination cannot see is mirrored to its NBD
 * export while the guest runs; the phase ends once every mirror is ready, that is caught up and
 * following the guest's writes. Each job and node is named after its disk ({@link Plan.DiskCopy}),
 * so a rollback finds what to undo from the plan alone.
 */
final class DiskMirrorPhase {
  Step run(PhaseContext ctx, MigrationState.Mirroring state) {
    Plan plan = state.setup().plan();
    Optional<Offer.Nbd> nbd = state.setup().offer().nbd();
    if (nbd.isEmpty()) {
      return Step.fault(
          new MigrationProblem.DestinationFailed(
              ctx.destHost(), "destination " + ctx.destHost() + " offered no NBD server"));
    }
    BlockJobs jobs = new BlockJobs(ctx.handle().qmp(), ctx.timings().qmpTimeout());
    try {
      for (Plan.DiskCopy c : plan.copies()) {
        String source = LiveNodes.formatNode(ctx.handle().qmp(), c.disk());
        jobs.addNbdTarget(c.nbdNode(), nbd.get().host(), nbd.get().port(), c.disk().id());
        jobs.mirror(c.mirrorJob(), source, c.nbdNode(), ctx.settings().bandwidth());
      }
    } catch (QmpException e) {
      return Step.fault(
          new MigrationProblem.QemuFailed(
              "source QEMU refused to mirror a disk: " + e.getMessage()));
    }
    Set<String> wanted =
        new HashSet<>(plan.copies().stream().map(Plan.DiskCopy::mirrorJob).toList());
    ctx.journal()
        .note(
            "mirroring "
                + String.join(", ", plan.copies().stream().map(Plan.DiskCopy::mirrorJob).toList())
                + " to "
                + nbd.get().host()
                + ":"
                + nbd.get().port());
    Instant start = ctx.clock().instant();
    ByteSize total =
        ByteSize.ofBytes(plan.copies().stream().mapToLong(c -> c.virtualSize().bytes()).sum());
    ctx.journal()
        .startProgress(
            Progress.start(
                start, MigrationPhase.DISK_MIRROR, total, ctx.settings().initialDowntime()));
    DiskProgressSampler sampler = new DiskProgressSampler(plan.copies());
    StallDetector stall = new StallDetector(ctx.timings().stallTimeout(), start);
    Set<String> ready = new HashSet<>();
    Instant nextTick = start;
    while (!ready.containsAll(wanted)) {
      Optional<Signal> signal = ctx.poll(Duration.between(ctx.clock().instant(), nextTick));
      if (signal.isPresent()) {
        Optional<Step> end = onSignal(ctx, signal.get(), wanted, ready);
        if (end.isPresent()) {
          return end.get();
        }
        continue;
      }
      Instant now = ctx.clock().instant();
      nextTick = now.plus(ctx.timings().tick());
      List<Progress.DiskProgress> disks = sampler.sample(jobs, now);
      long copied = disks.stream().mapToLong(d -> d.copied().bytes()).sum();
      long left = disks.stream().mapToLong(d -> d.remaining().bytes()).sum();
      ctx.journal()
          .progress(
              t ->
                  t.sample(
                      now,
                      MigrationPhase.DISK_MIRROR,
                      0,
                      ByteSize.ofBytes(copied),
                      ByteSize.ofBytes(left),
                      ByteSize.ofBytes(copied + left),
                      DataRate.ZERO,
                      DataRate.ZERO,
                      ctx.settings().initialDowntime(),
                      Optional.empty(),
                      0,
                      disks));
      Optional<Duration> still = stall.sample(copied, now);
      if (still.isPresent()) {
        return Step.fault(
            new MigrationProblem.Stalled(
                "disk mirror", ctx.timings().stallTimeout(), ctx.destHost()));
      }
    }
    return new Step(new MigrationEvent.MirrorsReady(), "all disk mirrors ready");
  }

  private static Optional<Step> onSignal(
      PhaseContext ctx, Signal signal, Set<String> wanted, Set<String> ready) {
    switch (signal) {
      case Signal.JobReady j when wanted.contains(j.job()) -> {
        if (ready.add(j.job())) {
          ctx.journal()
              .note("mirror " + j.job() + " is ready: the copy follows the guest's writes");
        }
        return Optional.empty();
      }
      case Signal.JobEnded j when wanted.contains(j.job()) -> {
        return Optional.of(
            Step.fault(
                new MigrationProblem.MirrorFailed(
                    j.job(),
                    "stopped: " + j.error().orElse(j.cancelled() ? "cancelled" : "ended early"))));
      }
      case Signal.JobError j when wanted.contains(j.job()) -> {
        return Optional.of(
            Step.fault(
                new MigrationProblem.MirrorFailed(j.job(), "stopped: I/O error " + j.operation())));
      }
      default -> {
        return ctx.common(signal);
      }
    }
  }
}
