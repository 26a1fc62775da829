package dev.ferry.agent.migration.outgoing;

import dev.ferry.agent.blockjobs.BlockJobs;
import dev.ferry.common.DataRate;
import dev.ferry.migration.ConvergencePolicy;
import dev.ferry.migration.MigrationEvent;
import dev.ferry.migration.MigrationPhase;
import dev.ferry.migration.MigrationProblem;
import dev.ferry.migration.MigrationState;
import dev.ferry.migration.Plan;
import dev.ferry.migration.PolicyDecision;
import dev.ferry.migration.Progress;
import dev.ferry.migration.Setup;
import dev.ferry.qemu.QemuQuirks;
import dev.ferry.qmp.MigrationCapability;
import dev.ferry.qmp.MigrationCapabilityStatus;
import dev.ferry.qmp.MigrationCommand.Migrate;
import dev.ferry.qmp.MigrationCommand.MigrateSetCapabilities;
import dev.ferry.qmp.MigrationCommand.MigrateSetParameters;
import dev.ferry.qmp.MigrationCommand.MigrateStartPostcopy;
import dev.ferry.qmp.MigrationCommand.QueryMigrateCapabilities;
import dev.ferry.qmp.MigrationInfo;
import dev.ferry.qmp.MigrationParameters;
import dev.ferry.qmp.MigrationStatus;
import dev.ferry.qmp.QmpException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Pre-copy: the source QEMU streams the guest's memory while it runs and re-sends what the guest
 * dirtied, pass after pass, under the {@link ConvergencePolicy} (downtime target stepped up, CPU
 * throttling, post-copy when allowed, the time budget's action). Driven by QEMU's {@code MIGRATION}
 * and {@code MIGRATION_PASS} events, with a sample of {@code query-migrate} every tick for progress
 * and the policy. Ends when QEMU pauses the guest before switchover (or completes the stream).
 *
 * <p>One instance per migration: the policy and the stall detector live across the pass-to-pass
 * transitions of the same phase.
 */
final class PrecopyPhase {
  private static final DataRate MIN_UNCAPPED = DataRate.ofMebibytesPerSecond(1024);
  private static final int THROTTLE_INITIAL_PERCENT = 20;
  private static final int THROTTLE_STEP_PERCENT = 10;
  private static final int THROTTLE_MAX_PERCENT = 99;

  private final CopyClock copyClock;
  private ConvergencePolicy policy;
  private StallDetector stall;

  PrecopyPhase(CopyClock copyClock) {
    this.copyClock = copyClock;
  }

  Step run(PhaseContext ctx, MigrationState.PreCopy state) {
    Setup setup = state.setup();
    boolean padded = ctx.padded();
    if (policy == null) {
      start(ctx, setup, padded);
    }
    BlockJobs jobs = new BlockJobs(ctx.handle().qmp(), ctx.timings().qmpTimeout());
    DiskProgressSampler disks = new DiskProgressSampler(setup.plan().copies());
    Set<String> mirrors =
        setup.plan().copies().stream().map(Plan.DiskCopy::mirrorJob).collect(Collectors.toSet());
    Instant nextTick = ctx.clock().instant();
    while (true) {
      Optional<Signal> signal = ctx.poll(Duration.between(ctx.clock().instant(), nextTick));
      if (signal.isPresent()) {
        Optional<Step> end = onSignal(ctx, signal.get(), mirrors);
        if (end.isPresent()) {
          return end.get();
        }
        continue;
      }
      Instant now = ctx.clock().instant();
      nextTick = now.plus(ctx.timings().tick());
      MigrationInfo info = ctx.queryMigrate();
      Optional<Step> end = onStatus(ctx, info.status());
      if (end.isPresent()) {
        return end.get();
      }
      if (info.ram().isEmpty()) {
        continue;
      }
      MigrationInfo.Stats st = info.ram().get();
      DataRate dirty =
          DataRate.ofBytesPerSecond(st.dirtyPagesRate() * Math.max(1, st.pageSize().bytes()));
      Duration expected =
          info.expectedDowntime()
              .map(d -> QemuQuirks.userPauseFor(d, padded))
              .orElse(Duration.ZERO);
      var diskProgress = disks.sample(jobs, now);
      ctx.journal()
          .refresh(
              r ->
                  r.withStream(
                      Optional.empty(), Optional.of(st.transferred()), st.dirtySyncCount()));
      ctx.journal()
          .progress(
              t ->
                  t.sample(
                      now,
                      MigrationPhase.PRECOPY,
                      st.dirtySyncCount(),
                      st.transferred(),
                      st.remaining(),
                      st.total(),
                      dirty,
                      st.throughput(),
                      policy.downtimeTarget(),
                      info.expectedDowntime(),
                      info.cpuThrottlePercentage().orElse(0),
                      diskProgress));
      if (stall.sample(st.transferred().bytes(), now).isPresent()) {
        return Step.fault(
            new MigrationProblem.Stalled(
                "the migration stream", ctx.timings().stallTimeout(), ctx.destHost()));
      }
      PolicyDecision d =
          policy.onSample(
              now,
              st.dirtySyncCount(),
              st.remaining(),
              st.throughput(),
              dirty,
              expected,
              info.status() == MigrationStatus.POSTCOPY_ACTIVE);
      end = apply(ctx, d, padded);
      if (end.isPresent()) {
        return end.get();
      }
    }
  }

  private void start(PhaseContext ctx, Setup setup, boolean padded) {
    var settings = ctx.settings();
    ctx.inbox().listenTo(ctx.handle().qmp());
    // Exactly the plan's capabilities: a QEMU that was itself received keeps the ones its
    // incoming side enabled (post-copy among them), and a mismatch with the destination breaks the
    // stream at once.
    Set<String> planned = Set.copyOf(setup.plan().capabilities());
    List<MigrationCapabilityStatus> caps = new ArrayList<>();
    for (String c : planned) {
      caps.add(MigrationCapabilityStatus.enable(MigrationCapability.of(c)));
    }
    try {
      for (MigrationCapabilityStatus st :
          ctx.handle().qmp().call(new QueryMigrateCapabilities(), ctx.timings().qmpTimeout())) {
        if (st.state() && !planned.contains(st.capability().name())) {
          caps.add(MigrationCapabilityStatus.disable(st.capability()));
        }
      }
    } catch (QmpException e) {
      ctx.journal().warn("cannot read the source QEMU's capabilities: " + e.getMessage());
    }
    if (!caps.isEmpty()) {
      ctx.qemu(new MigrateSetCapabilities(caps), "source QEMU refused the migration capabilities");
    }
    DataRate rate = settings.bandwidth().orElse(uncapped(setup.measured().link()));
    MigrationParameters.Builder params =
        MigrationParameters.builder()
            .maxBandwidth(rate)
            .maxPostcopyBandwidth(rate)
            .downtimeLimit(QemuQuirks.downtimeLimitFor(settings.initialDowntime(), padded))
            .cpuThrottle(THROTTLE_INITIAL_PERCENT, THROTTLE_STEP_PERCENT, true)
            .maxCpuThrottle(THROTTLE_MAX_PERCENT);
    if (settings.multifdChannels() > 1) {
      params.multifdChannels(settings.multifdChannels());
    }
    ctx.qemu(new MigrateSetParameters(params.build()), "source QEMU refused the parameters");
    Instant started = ctx.clock().instant();
    copyClock.started(started);
    ctx.qemu(new Migrate(setup.offer().uri()), "source QEMU refused to start the migration");
    policy = new ConvergencePolicy(settings, started, setup.measured().budget());
    stall = new StallDetector(ctx.timings().stallTimeout(), started);
    ctx.journal()
        .startProgress(
            Progress.start(
                started,
                MigrationPhase.PRECOPY,
                ctx.handle().spec().memory(),
                policy.downtimeTarget()));
  }

  private Optional<Step> onSignal(PhaseContext ctx, Signal signal, Set<String> mirrors) {
    switch (signal) {
      case Signal.Qemu q -> {
        return onStatus(ctx, q.status());
      }
      case Signal.Pass p -> {
        copyClock.pass(p.pass(), ctx.clock().instant());
        ctx.journal().refresh(r -> r.withStream(Optional.empty(), Optional.empty(), p.pass()));
        ctx.journal().fire(new MigrationEvent.PassStarted(p.pass()), "pass " + p.pass());
        return Optional.empty();
      }
      case Signal.JobEnded j when mirrors.contains(j.job()) -> {
        return Optional.of(
            Step.fault(
                new MigrationProblem.MirrorFailed(
                    j.job(), "stopped: " + j.error().orElse("ended early"))));
      }
      case Signal.JobError j when mirrors.contains(j.job()) -> {
        return Optional.of(
            Step.fault(
                new MigrationProblem.MirrorFailed(j.job(), "stopped: I/O error " + j.operation())));
      }
      default -> {
        return ctx.common(signal);
      }
    }
  }

  /** What a QEMU status means here: the phase's end, a post-copy switch, or nothing. */
  private Optional<Step> onStatus(PhaseContext ctx, MigrationStatus status) {
    switch (status) {
      case PRE_SWITCHOVER -> {
        return Optional.of(
            new Step(new MigrationEvent.PreSwitchoverReached(), "source paused before switchover"));
      }
      case COMPLETED -> {
        StreamStats.collect(ctx, copyClock);
        return Optional.of(new Step(new MigrationEvent.StreamCompleted(), "stream completed"));
      }
      case POSTCOPY_ACTIVE -> {
        // Without pause-before-switchover QEMU goes from pre-copy straight to post-copy.
        return Optional.of(ctx.postcopySwitched());
      }
      case FAILED -> {
        return Optional.of(
            Step.fault(
                new MigrationProblem.QemuFailed(
                    "QEMU reports the migration failed: " + ctx.qemuError())));
      }
      case CANCELLED -> {
        return Optional.of(
            Step.fault(new MigrationProblem.QemuFailed("QEMU cancelled the migration")));
      }
      default -> {
        return Optional.empty();
      }
    }
  }

  /**
   * Carries out a policy decision. A forced switchover's limit goes to QEMU as is: it must make
   * QEMU stop the guest now, whatever its model of the pause.
   */
  private Optional<Step> apply(PhaseContext ctx, PolicyDecision d, boolean padded) {
    switch (d) {
      case PolicyDecision.Continue c -> {}
      case PolicyDecision.SetDowntimeLimit s -> {
        Duration limit =
            policy.forced() ? s.limit() : QemuQuirks.downtimeLimitFor(s.limit(), padded);
        try {
          ctx.handle()
              .qmp()
              .call(
                  new MigrateSetParameters(
                      MigrationParameters.builder().downtimeLimit(limit).build()),
                  ctx.timings().qmpTimeout());
          ctx.journal().note("policy: " + s.reason());
        } catch (QmpException e) {
          ctx.journal().warn("policy could not set the downtime limit: " + e.getMessage());
        }
      }
      case PolicyDecision.StartPostcopy p -> {
        try {
          ctx.handle().qmp().call(new MigrateStartPostcopy(), ctx.timings().qmpTimeout());
          ctx.journal().note("policy: switching to post-copy: " + p.reason());
        } catch (QmpException e) {
          ctx.journal().warn("policy could not start post-copy: " + e.getMessage());
        }
      }
      case PolicyDecision.Abort a -> {
        return Optional.of(Step.abort("policy: " + a.reason()));
      }
    }
    return Optional.empty();
  }

  private static DataRate uncapped(DataRate link) {
    DataRate twice = DataRate.ofBytesPerSecond(link.bytesPerSecond() * 2);
    return twice.compareTo(MIN_UNCAPPED) < 0 ? MIN_UNCAPPED : twice;
  }
}
