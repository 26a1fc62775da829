package dev.ferry.agent.migration;

import dev.ferry.agent.AgentException;
import dev.ferry.agent.vm.OutgoingHandle;
import dev.ferry.api.AgentClient;
import dev.ferry.api.AgentEvent;
import dev.ferry.api.AgentUnreachableException;
import dev.ferry.api.ApiException;
import dev.ferry.api.IncomingOffer;
import dev.ferry.api.IncomingRequest;
import dev.ferry.api.IncomingStatus;
import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import dev.ferry.migration.ConvergencePolicy;
import dev.ferry.migration.MigrationEvent;
import dev.ferry.migration.MigrationId;
import dev.ferry.migration.MigrationPhase;
import dev.ferry.migration.MigrationRecord;
import dev.ferry.migration.MigrationSettings;
import dev.ferry.migration.MigrationState;
import dev.ferry.migration.MigrationStateMachine;
import dev.ferry.migration.PolicyDecision;
import dev.ferry.migration.Prediction;
import dev.ferry.migration.Progress;
import dev.ferry.migration.ProgressTracker;
import dev.ferry.qmp.MigrationCapabilityStatus;
import dev.ferry.qmp.MigrationCommand.Migrate;
import dev.ferry.qmp.MigrationCommand.MigrateCancel;
import dev.ferry.qmp.MigrationCommand.MigrateContinue;
import dev.ferry.qmp.MigrationCommand.MigrateSetCapabilities;
import dev.ferry.qmp.MigrationCommand.MigrateSetParameters;
import dev.ferry.qmp.MigrationCommand.MigrateStartPostcopy;
import dev.ferry.qmp.MigrationCommand.QueryMigrate;
import dev.ferry.qmp.MigrationInfo;
import dev.ferry.qmp.MigrationParameters;
import dev.ferry.qmp.MigrationStatus;
import dev.ferry.qmp.QmpEvent;
import dev.ferry.qmp.QmpException;
import dev.ferry.qmp.Subscription;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source side of one live migration. Preflight runs on the requesting thread, so a refusal is
 * the request's answer; everything after runs on one virtual thread that owns the migration's state
 * and takes abort requests, bandwidth changes, QEMU events and faults from its inbox (an actor).
 * Every state change goes through {@link MigrationStateMachine} and is recorded.
 *
 * <p>Guarantees: before handover any failure or abort ends with the VM running on this host and
 * nothing left on the destination (the destination's watchdog removes its side itself when it can
 * no longer be told); after the destination confirmed handover the guest is never resumed here; if
 * the outcome of the handover cannot be known the guest stays paused here.
 */
final class OutgoingMigration {
  private static final Logger log = LoggerFactory.getLogger(OutgoingMigration.class);
  private static final Duration TICK = Duration.ofMillis(250);
  private static final Duration KEEPALIVE_PERIOD = Duration.ofSeconds(1);
  private static final int KEEPALIVE_FAILURES = 5;
  private static final DataRate MIN_UNCAPPED = DataRate.ofMebibytesPerSecond(1024);
  private static final Duration CANCEL_WAIT = Duration.ofSeconds(15);
  private static final Duration SWITCHOVER_WAIT = Duration.ofSeconds(60);
  private static final Duration HANDOVER_RETRY = Duration.ofSeconds(15);
  private static final Duration PROGRESS_EVERY = Duration.ofMillis(500);

  /** What the runner's inbox carries. */
  private sealed interface Signal {
    record Abort(String reason, CompletableFuture<Boolean> accepted) implements Signal {}

    record Bandwidth(DataRate rate) implements Signal {}

    record Qemu(MigrationStatus status) implements Signal {}

    record Pass(long pass) implements Signal {}

    record Fault(String cause) implements Signal {}

    /** A block job became ready, finished, or failed. */
    record Job(String device, boolean ready, boolean done, Optional<String> error)
        implements Signal {}
  }

  private final MigrationId id;
  private final String vm;
  private final String destHost;
  private final String destUrl;
  private final OutgoingContext ctx;
  private final AgentClient dest;
  private final OutgoingHandle handle;
  private final Instant startedAt;
  private final BlockingQueue<Signal> inbox = new LinkedBlockingQueue<>();
  private final CompletableFuture<MigrationRecord> finished = new CompletableFuture<>();
  private final ReentrantLock recordLock = new ReentrantLock();
  private final Map<MigrationPhase, Instant> phases = new EnumMap<>(MigrationPhase.class);
  private final List<MigrationRecord.Transition> transitions = new CopyOnWriteArrayList<>();
  private final List<String> warnings = new CopyOnWriteArrayList<>();
  private final AtomicInteger keepAliveFailures = new AtomicInteger();

  private volatile MigrationState state = new MigrationState.Preflight();
  private volatile MigrationSettings settings;
  private volatile Prediction prediction;
  private volatile Duration budget;
  private volatile Progress progress;
  private volatile Instant endedAt;
  private volatile Long downtimeMs;
  private volatile Long outageMs;
  private volatile ByteSize bytesTransferred;
  private volatile long passes;
  private volatile Long newEpoch;
  private volatile MigrationRecord.MigrationError error;

  private List<String> capabilities = List.of();
  private List<Preflight.DiskCopyPlan> copies = List.of();
  private final List<String> mirrorJobs = new java.util.ArrayList<>();
  private final List<String> nbdNodes = new java.util.ArrayList<>();
  private final Map<String, Instant> jobsDone = new java.util.concurrent.ConcurrentHashMap<>();
  private Preflight preflight;
  private DataRate linkRate = MIN_UNCAPPED;
  private boolean qemuStarted;
  private Instant precopyStart;
  private Instant secondPassAt;
  private ScheduledFuture<?> keepAlive;
  private Subscription qmpEvents;
  private ProgressTracker tracker;
  private Instant lastProgressEvent = Instant.EPOCH;

  private OutgoingMigration(
      OutgoingContext ctx,
      MigrationId id,
      String vm,
      String destHost,
      String destUrl,
      MigrationSettings settings,
      OutgoingHandle handle) {
    this.ctx = ctx;
    this.id = id;
    this.vm = vm;
    this.destHost = destHost;
    this.destUrl = destUrl;
    this.settings = settings;
    this.handle = handle;
    this.dest = ctx.peers().apply(destUrl);
    this.startedAt = ctx.clock().instant();
    phases.put(MigrationPhase.PREFLIGHT, startedAt);
  }

  /**
   * Takes hold of the VM and records the migration; preflight has not run yet.
   *
   * @throws AgentException.Conflict if the VM is not running here or already migrating
   */
  static OutgoingMigration begin(
      OutgoingContext ctx, String vm, String destHost, String destUrl, MigrationSettings settings) {
    MigrationId id = MigrationId.random();
    OutgoingHandle handle = ctx.vms().beginOutgoing(vm, id.value());
    OutgoingMigration m = new OutgoingMigration(ctx, id, vm, destHost, destUrl, settings, handle);
    ctx.store()
        .saveNotes(
            new OutgoingNotes(
                id.value(), vm, destHost, destUrl, handle.wasRunning(), handle.epoch()));
    m.persist();
    m.publishState("migration " + id + " of " + vm + " to " + destHost + " requested");
    return m;
  }

  /** Recreates a migration from disk after an agent restart, to finish or undo it. */
  static OutgoingMigration recover(
      OutgoingContext ctx, MigrationRecord record, OutgoingNotes notes, OutgoingHandle handle) {
    OutgoingMigration m =
        new OutgoingMigration(
            ctx,
            record.id(),
            record.vm(),
            notes.destinationHost(),
            notes.destinationAgent(),
            record.settings(),
            handle);
    m.state = record.state();
    m.phases.putAll(record.phases());
    m.transitions.addAll(record.transitions());
    m.warnings.addAll(record.warnings());
    m.prediction = record.prediction().orElse(null);
    m.budget = record.budget().orElse(null);
    m.qemuStarted = record.state().phase().ordinal() >= MigrationPhase.PRECOPY.ordinal();
    return m;
  }

  MigrationId id() {
    return id;
  }

  MigrationState state() {
    return state;
  }

  CompletableFuture<MigrationRecord> finished() {
    return finished;
  }

  // ---------------------------------------------------------------- requests from other threads

  /** Asks to abort; completes with whether the runner took it (false: past handover). */
  CompletableFuture<Boolean> requestAbort(String reason) {
    CompletableFuture<Boolean> accepted = new CompletableFuture<>();
    if (state.terminal() || state instanceof MigrationState.RollingBack) {
      accepted.complete(!(state instanceof MigrationState.Completed));
      return accepted;
    }
    if (!MigrationStateMachine.abortable(state)) {
      accepted.complete(false);
      return accepted;
    }
    inbox.add(new Signal.Abort(reason, accepted));
    return accepted;
  }

  void changeBandwidth(DataRate rate) {
    settings = settings.withBandwidth(Optional.of(rate));
    inbox.add(new Signal.Bandwidth(rate));
    persist();
  }

  void reportOutage(long ms) {
    outageMs = ms;
    if (downtimeMs != null) {
      ctx.estimates().observeOutage(Duration.ofMillis(downtimeMs), Duration.ofMillis(ms));
    }
    persist();
  }

  MigrationRecord snapshot() {
    recordLock.lock();
    try {
      return new MigrationRecord(
          MigrationRecord.FORMAT_VERSION,
          id,
          vm,
          ctx.hostName(),
          destHost,
          state,
          startedAt,
          Optional.ofNullable(endedAt),
          Map.copyOf(phases),
          settings,
          Optional.ofNullable(prediction),
          Optional.ofNullable(budget),
          Optional.ofNullable(endedAt).map(e -> Duration.between(startedAt, e).toMillis()),
          Optional.ofNullable(downtimeMs),
          Optional.ofNullable(outageMs),
          Optional.ofNullable(bytesTransferred),
          passes,
          Optional.ofNullable(error),
          Optional.ofNullable(progress),
          List.copyOf(transitions),
          List.copyOf(warnings),
          Optional.ofNullable(newEpoch));
    } finally {
      recordLock.unlock();
    }
  }

  // ---------------------------------------------------------------- preflight (request thread)

  /**
   * Checks both hosts, measures, predicts. On refusal the migration is recorded as failed in
   * preflight, the VM is released untouched, and the refusal is thrown.
   */
  void preflight() {
    try {
      preflight = new Preflight(ctx, handle, dest, destHost, destUrl, settings);
      Preflight.Result checked = preflight.run();
      capabilities = checked.capabilities();
      copies = checked.copies();
      fire(
          new MigrationEvent.PreflightPassed(),
          "checks passed on both hosts; capabilities " + String.join(",", capabilities));
    } catch (Preflight.Refused e) {
      fire(new MigrationEvent.Fault("preflight refused: " + e.getMessage()), e.getMessage());
      handle.rollBack();
      fire(new MigrationEvent.RolledBack(), "nothing was changed");
      ctx.store().deleteNotes(id.value());
      finished.complete(snapshot());
      throw new AgentException.Conflict(
          "migration of '" + vm + "' to " + destHost + " refused in preflight: " + e.getMessage());
    } catch (RuntimeException e) {
      fire(new MigrationEvent.Fault("preflight failed: " + e.getMessage()), e.toString());
      handle.rollBack();
      fire(new MigrationEvent.RolledBack(), "nothing was changed");
      ctx.store().deleteNotes(id.value());
      finished.complete(snapshot());
      throw new AgentException.Failed("preflight of '" + vm + "' failed: " + e.getMessage(), e);
    }
  }

  /** Runs the rest of the migration on its own virtual thread. */
  void start() {
    Thread.ofVirtual().name("migration-" + id).start(this::runToTheEnd);
  }

  private void runToTheEnd() {
    try {
      prepare();
      precopy();
      if (state instanceof MigrationState.Switchover) {
        switchover();
      }
      handover();
      if (state instanceof MigrationState.Cleanup) {
        cleanup();
      }
    } catch (MigrationAbortedException e) {
      unwind(e.event());
    } catch (RuntimeException e) {
      log.error("Migration {}: unexpected error in {}", id, state.label(), e);
      unwind(new MigrationEvent.Fault("unexpected error in " + state.label() + ": " + e));
    } finally {
      stopKeepAlive();
      if (qmpEvents != null) {
        qmpEvents.close();
      }
      if (state.terminal()) {
        ctx.store().deleteNotes(id.value());
      }
      finished.complete(snapshot());
    }
  }

  private void unwind(MigrationEvent cause) {
    if (!MigrationStateMachine.abortable(state) && !(state instanceof MigrationState.RollingBack)) {
      // Past handover: a fault there is decided in handover() itself; nothing to roll back.
      warnings.add("after " + state.label() + ": " + cause);
      persist();
      return;
    }
    if (!(state instanceof MigrationState.RollingBack)) {
      fire(cause, describe(cause));
    }
    rollback();
  }

  // ---------------------------------------------------------------- prepare

  private void prepare() {
    CompletableFuture<Preflight.Measurement> measuring =
        CompletableFuture.supplyAsync(
            preflight::measure, r -> Thread.ofVirtual().name("measure-" + id).start(r));
    IncomingRequest request =
        new IncomingRequest(
            id,
            ctx.hostName(),
            handle.spec(),
            handle.epoch(),
            capabilities,
            settings.multifdChannels(),
            ctx.keepAliveTimeout().toMillis(),
            copies.stream()
                .map(
                    c ->
                        new dev.ferry.api.IncomingRequest.DiskCopy(
                            c.disk().id(), c.disk().format(), c.virtualSize(), c.allocated()))
                .toList());
    IncomingOffer offer;
    try {
      offer = dest.prepareIncoming(request);
    } catch (ApiException | AgentUnreachableException e) {
      throw fault("destination " + destHost + " could not prepare: " + e.getMessage());
    }
    startKeepAlive();
    Preflight.Measurement m;
    try {
      m = measuring.join();
    } catch (java.util.concurrent.CompletionException e) {
      throw fault("measuring before pre-copy failed: " + e.getCause().getMessage());
    }
    linkRate = m.link();
    prediction = m.prediction();
    budget = m.budget();
    note(
        "measured dirty rate "
            + m.dirtyRate()
            + ", link "
            + m.link()
            + "; predicted: "
            + prediction.summary());
    drainInbox();
    this.uri = offer.uri();
    fire(
        new MigrationEvent.DestinationPrepared(offer.uri(), !copies.isEmpty()),
        "destination listens on "
            + offer.uri()
            + (copies.isEmpty() ? "" : "; " + copies.size() + " disk(s) to copy over NBD"));
    if (!copies.isEmpty()) {
      mirror(offer);
    }
  }

  private String uri;

  // ---------------------------------------------------------------- pre-copy

  /** Routes the source QEMU's migration and block-job events into the inbox (once). */
  private void subscribeQemuEvents() {
    if (qmpEvents != null) {
      return;
    }
    qmpEvents =
        handle
            .qmp()
            .subscribe(
                event -> {
                  switch (event) {
                    case QmpEvent.Migration m -> inbox.add(new Signal.Qemu(m.status()));
                    case QmpEvent.MigrationPass p -> inbox.add(new Signal.Pass(p.pass()));
                    case QmpEvent.BlockJobReady r ->
                        inbox.add(new Signal.Job(r.device(), true, false, Optional.empty()));
                    case QmpEvent.BlockJobCompleted c ->
                        inbox.add(new Signal.Job(c.device(), false, true, c.error()));
                    case QmpEvent.BlockJobCancelled c ->
                        inbox.add(
                            new Signal.Job(c.device(), false, true, Optional.of("cancelled")));
                    case QmpEvent.BlockJobError e ->
                        inbox.add(
                            new Signal.Job(
                                e.device(),
                                false,
                                false,
                                Optional.of("I/O error " + e.operation())));
                    default -> {}
                  }
                });
  }

  // ---------------------------------------------------------------- disk mirror

  /**
   * Mirrors every disk the destination cannot see to its NBD export and returns once all mirrors
   * are ready (caught up, following the guest's writes). The guest runs throughout.
   */
  private void mirror(IncomingOffer offer) {
    subscribeQemuEvents();
    String nbdHost = offer.nbdHost().orElseThrow(() -> fault("destination offered no NBD server"));
    try {
      for (Preflight.DiskCopyPlan c : copies) {
        String id = c.disk().id();
        String source = dev.ferry.agent.storage.LiveNodes.formatNode(handle.qmp(), c.disk());
        String node = "nbd-" + id;
        handle
            .qmp()
            .call(
                new dev.ferry.qmp.BlockCommand.BlockdevAdd(
                    new dev.ferry.qmp.BlockNode.Nbd(
                        node, new dev.ferry.qmp.SocketAddress.Inet(nbdHost, offer.nbdPort()), id)));
        nbdNodes.add(node);
        String job = "mirror-" + id;
        handle
            .qmp()
            .call(
                new dev.ferry.qmp.BlockCommand.BlockdevMirror(
                    job,
                    source,
                    node,
                    dev.ferry.qmp.BlockCommand.BlockdevMirror.SyncMode.FULL,
                    settings.bandwidth(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty()));
        mirrorJobs.add(job);
      }
    } catch (QmpException e) {
      throw fault("source QEMU refused to mirror a disk: " + e.getMessage());
    }
    note("mirroring " + String.join(", ", mirrorJobs) + " to " + nbdHost + ":" + offer.nbdPort());
    java.util.Set<String> ready = new java.util.HashSet<>();
    tracker =
        new ProgressTracker(
            Progress.start(
                ctx.clock().instant(),
                MigrationPhase.DISK_MIRROR,
                ByteSize.ofBytes(
                    copies.stream().mapToLong(Preflight.DiskCopyPlan::virtualSize).sum()),
                settings.initialDowntime()));
    Instant nextTick = ctx.clock().instant();
    long lastCopied = -1;
    Instant lastMoved = ctx.clock().instant();
    while (ready.size() < mirrorJobs.size()) {
      Signal s = poll(Duration.between(ctx.clock().instant(), nextTick));
      if (s instanceof Signal.Job j) {
        if (j.ready()) {
          ready.add(j.device());
          note("mirror " + j.device() + " is ready: the copy follows the guest's writes");
        } else if (j.done() || j.error().isPresent()) {
          throw fault("disk mirror " + j.device() + " stopped: " + j.error().orElse("ended early"));
        }
        continue;
      } else if (s != null) {
        onCommonSignal(s);
        continue;
      }
      Instant now = ctx.clock().instant();
      nextTick = now.plus(TICK);
      List<Progress.DiskProgress> disks = diskProgress(now);
      long copied = disks.stream().mapToLong(d -> d.copied().bytes()).sum();
      long left = disks.stream().mapToLong(d -> d.remaining().bytes()).sum();
      progress =
          tracker.sample(
              now,
              MigrationPhase.DISK_MIRROR,
              0,
              ByteSize.ofBytes(copied),
              ByteSize.ofBytes(left),
              ByteSize.ofBytes(copied + left),
              DataRate.ZERO,
              DataRate.ZERO,
              settings.initialDowntime(),
              Optional.empty(),
              0,
              disks);
      publishProgress(now);
      if (copied > lastCopied) {
        lastCopied = copied;
        lastMoved = now;
      } else if (Duration.between(lastMoved, now).compareTo(ctx.stallTimeout()) > 0) {
        throw fault(
            "disk mirror moved no data for "
                + ctx.stallTimeout().toSeconds()
                + " s (network to "
                + destHost
                + " cut?)");
      }
    }
    fire(new MigrationEvent.MirrorsReady(), "all disk mirrors ready");
  }

  private final Map<String, long[]> lastJobSample = new java.util.HashMap<>();

  /** Per-disk mirror progress; the write rate is how fast the job's length grows. */
  private List<Progress.DiskProgress> diskProgress(Instant now) {
    if (mirrorJobs.isEmpty()) {
      return List.of();
    }
    List<dev.ferry.qmp.BlockJobInfo> jobs;
    try {
      jobs = handle.qmp().call(new dev.ferry.qmp.BlockCommand.QueryBlockJobs());
    } catch (QmpException e) {
      throw fault("source QEMU does not answer: " + e.getMessage());
    }
    List<Progress.DiskProgress> out = new java.util.ArrayList<>();
    for (dev.ferry.qmp.BlockJobInfo j : jobs) {
      if (!mirrorJobs.contains(j.device())) {
        continue;
      }
      long len = j.len().bytes();
      long ms = now.toEpochMilli();
      long[] prev = lastJobSample.put(j.device(), new long[] {len, ms});
      DataRate writes = DataRate.ZERO;
      if (prev != null && ms > prev[1] && len > prev[0]) {
        writes = DataRate.ofBytesPerSecond((len - prev[0]) * 1000 / (ms - prev[1]));
      }
      out.add(
          new Progress.DiskProgress(
              j.device().substring("mirror-".length()),
              j.offset(),
              ByteSize.ofBytes(Math.max(0, len - j.offset().bytes())),
              writes,
              j.ready()));
    }
    return out;
  }

  /**
   * With the guest paused at pre-switchover, ends every mirror consistently: cancelling a ready
   * mirror completes it without switching the source over, leaving the destination's copy identical
   * to the source's disk.
   */
  private void completeMirrors() {
    if (mirrorJobs.isEmpty()) {
      return;
    }
    try {
      for (String job : mirrorJobs) {
        handle.qmp().call(new dev.ferry.qmp.BlockCommand.BlockJobCancel(job, Optional.empty()));
      }
    } catch (QmpException e) {
      throw fault("could not complete the disk mirrors: " + e.getMessage());
    }
    Instant deadline = ctx.clock().instant().plus(Duration.ofSeconds(30));
    java.util.Set<String> done = new java.util.HashSet<>(jobsDone.keySet());
    while (done.size() < mirrorJobs.size()) {
      if (ctx.clock().instant().isAfter(deadline)) {
        throw fault("disk mirrors did not complete within 30 s of the switchover");
      }
      Signal s = poll(Duration.ofMillis(100));
      if (s instanceof Signal.Job j && j.done()) {
        if (j.error().isPresent() && !j.error().get().equals("cancelled")) {
          throw fault("disk mirror " + j.device() + " failed at switchover: " + j.error().get());
        }
        done.add(j.device());
      } else if (s != null && !(s instanceof Signal.Job)) {
        onCommonSignal(s);
      } else if (s == null) {
        try {
          var running = handle.qmp().call(new dev.ferry.qmp.BlockCommand.QueryBlockJobs());
          for (String job : mirrorJobs) {
            if (running.stream().noneMatch(r -> r.device().equals(job))) {
              done.add(job);
            }
          }
        } catch (QmpException e) {
          throw fault("source QEMU does not answer: " + e.getMessage());
        }
      }
    }
    mirrorJobs.clear();
    removeNbdNodes();
    note("disk mirrors completed; the destination's copies match the paused guest's disks");
  }

  private void removeNbdNodes() {
    for (String node : nbdNodes) {
      try {
        handle.qmp().call(new dev.ferry.qmp.BlockCommand.BlockdevDel(node));
      } catch (QmpException e) {
        warnings.add("removing NBD node " + node + ": " + e.getMessage());
      }
    }
    nbdNodes.clear();
  }

  private void cancelMirrors() {
    for (String job : mirrorJobs) {
      try {
        handle.qmp().call(new dev.ferry.qmp.BlockCommand.BlockJobCancel(job, Optional.of(true)));
      } catch (QmpException e) {
        log.debug("Migration {}: cancelling {}: {}", id, job, e.getMessage());
      }
    }
    Instant deadline = ctx.clock().instant().plus(Duration.ofSeconds(10));
    while (!mirrorJobs.isEmpty() && ctx.clock().instant().isBefore(deadline)) {
      try {
        var running = handle.qmp().call(new dev.ferry.qmp.BlockCommand.QueryBlockJobs());
        if (running.stream().noneMatch(r -> mirrorJobs.contains(r.device()))) {
          break;
        }
      } catch (QmpException e) {
        break;
      }
      sleep(Duration.ofMillis(100));
    }
    mirrorJobs.clear();
    removeNbdNodes();
  }

  private void precopy() {
    subscribeQemuEvents();
    try {
      if (!capabilities.isEmpty()) {
        handle
            .qmp()
            .call(
                new MigrateSetCapabilities(
                    capabilities.stream()
                        .map(
                            c ->
                                MigrationCapabilityStatus.enable(
                                    dev.ferry.qmp.MigrationCapability.of(c)))
                        .toList()));
      }
      DataRate rate = settings.bandwidth().orElse(uncapped());
      MigrationParameters.Builder params =
          MigrationParameters.builder()
              .maxBandwidth(rate)
              .maxPostcopyBandwidth(rate)
              .downtimeLimit(qemuLimit(settings.initialDowntime()))
              .cpuThrottle(20, 10, true)
              .maxCpuThrottle(99);
      if (settings.multifdChannels() > 1) {
        params.multifdChannels(settings.multifdChannels());
      }
      handle.qmp().call(new MigrateSetParameters(params.build()));
      precopyStart = ctx.clock().instant();
      handle.qmp().call(new Migrate(uri));
      qemuStarted = true;
    } catch (QmpException e) {
      throw fault("source QEMU refused to start the migration: " + e.getMessage());
    }
    ConvergencePolicy policy = new ConvergencePolicy(settings, precopyStart, budget);
    tracker =
        new ProgressTracker(
            Progress.start(
                precopyStart,
                MigrationPhase.PRECOPY,
                handle.spec().memory(),
                policy.downtimeTarget()));
    Instant nextTick = precopyStart;
    ByteSize lastBytes = ByteSize.ZERO;
    Instant lastMoved = precopyStart;
    while (state instanceof MigrationState.PreCopy) {
      Signal s = poll(Duration.between(ctx.clock().instant(), nextTick));
      if (s != null) {
        onSignalInPrecopy(s);
        continue;
      }
      Instant now = ctx.clock().instant();
      nextTick = now.plus(TICK);
      MigrationInfo info = queryMigrate();
      if (onQemuStatus(info.status())) {
        continue;
      }
      Optional<MigrationInfo.Stats> ram = info.ram();
      if (ram.isEmpty()) {
        continue;
      }
      MigrationInfo.Stats st = ram.get();
      passes = st.dirtySyncCount();
      bytesTransferred = st.transferred();
      DataRate dirty =
          DataRate.ofBytesPerSecond(st.dirtyPagesRate() * Math.max(1, st.pageSize().bytes()));
      // In the units of the user's pause (see qemuLimit).
      Duration expected =
          info.expectedDowntime()
              .map(
                  d -> Preflight.padded(ctx.facts().get()) ? d.multipliedBy(PADDED_SYNC_FACTOR) : d)
              .orElse(Duration.ZERO);
      progress =
          tracker.sample(
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
              diskProgress(now));
      publishProgress(now);
      if (st.transferred().compareTo(lastBytes) > 0) {
        lastBytes = st.transferred();
        lastMoved = now;
      } else if (Duration.between(lastMoved, now).compareTo(ctx.stallTimeout()) > 0) {
        throw fault(
            "no bytes moved for "
                + ctx.stallTimeout().toSeconds()
                + " s (network to "
                + destHost
                + " cut?)");
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
      apply(d, policy.forced());
    }
  }

  private void onSignalInPrecopy(Signal s) {
    switch (s) {
      case Signal.Qemu q -> onQemuStatus(q.status());
      case Signal.Pass p -> {
        if (p.pass() >= 2 && secondPassAt == null) {
          secondPassAt = ctx.clock().instant();
        }
        passes = Math.max(passes, p.pass());
        fire(new MigrationEvent.PassStarted(p.pass()), "pass " + p.pass());
      }
      case Signal.Job j -> {
        if (j.error().isPresent() || j.done()) {
          throw fault("disk mirror " + j.device() + " stopped: " + j.error().orElse("ended early"));
        }
      }
      default -> onCommonSignal(s);
    }
  }

  /** Reacts to a QEMU status; true when it moved the migration to another state. */
  private boolean onQemuStatus(MigrationStatus status) {
    if (!(state instanceof MigrationState.PreCopy)) {
      return false;
    }
    switch (status) {
      case PRE_SWITCHOVER -> {
        fire(new MigrationEvent.PreSwitchoverReached(), "source paused before switchover");
        return true;
      }
      case COMPLETED -> {
        fire(new MigrationEvent.StreamCompleted(), "stream completed");
        collectFinalStats();
        return true;
      }
      case POSTCOPY_ACTIVE -> {
        if (!((MigrationState.PreCopy) state).postcopy()) {
          fire(new MigrationEvent.PostcopyStarted(), "post-copy: the destination runs the guest");
        }
        return false;
      }
      case FAILED -> throw fault("QEMU reports the migration failed: " + qemuError());
      case CANCELLED -> throw fault("QEMU cancelled the migration");
      default -> {
        return false;
      }
    }
  }

  private void onCommonSignal(Signal s) {
    switch (s) {
      case Signal.Abort a -> {
        if (MigrationStateMachine.abortable(state)) {
          a.accepted().complete(true);
          throw new MigrationAbortedException(new MigrationEvent.AbortRequested(a.reason()));
        }
        a.accepted().complete(false);
      }
      case Signal.Bandwidth b -> {
        if (qemuStarted) {
          try {
            handle
                .qmp()
                .call(
                    new MigrateSetParameters(
                        MigrationParameters.builder()
                            .maxBandwidth(b.rate())
                            .maxPostcopyBandwidth(b.rate())
                            .build()));
            note("bandwidth cap changed to " + b.rate());
          } catch (QmpException e) {
            warnings.add("bandwidth change to " + b.rate() + " failed: " + e.getMessage());
          }
        }
      }
      case Signal.Fault f -> throw fault(f.cause());
      default -> {}
    }
  }

  /**
   * Carries out a policy decision. A forced switchover's limit goes to QEMU as is: it must make
   * QEMU stop the guest now, whatever its model of the pause.
   */
  private void apply(PolicyDecision d, boolean forced) {
    switch (d) {
      case PolicyDecision.Continue c -> {}
      case PolicyDecision.SetDowntimeLimit s -> {
        try {
          handle
              .qmp()
              .call(
                  new MigrateSetParameters(
                      MigrationParameters.builder()
                          .downtimeLimit(forced ? s.limit() : qemuLimit(s.limit()))
                          .build()));
          note("policy: " + s.reason());
        } catch (QmpException e) {
          warnings.add("policy could not set the downtime limit: " + e.getMessage());
        }
      }
      case PolicyDecision.StartPostcopy p -> {
        try {
          handle.qmp().call(new MigrateStartPostcopy());
          note("policy: switching to post-copy: " + p.reason());
        } catch (QmpException e) {
          warnings.add("policy could not start post-copy: " + e.getMessage());
        }
      }
      case PolicyDecision.Abort a ->
          throw new MigrationAbortedException(
              new MigrationEvent.AbortRequested("policy: " + a.reason()));
    }
  }

  // ---------------------------------------------------------------- switchover

  private void switchover() {
    completeMirrors();
    try {
      handle.qmp().call(new MigrateContinue(MigrationStatus.PRE_SWITCHOVER));
    } catch (QmpException e) {
      throw fault("migrate-continue failed: " + e.getMessage());
    }
    Instant deadline = ctx.clock().instant().plus(SWITCHOVER_WAIT);
    while (state instanceof MigrationState.Switchover) {
      Signal s = poll(TICK);
      MigrationStatus status;
      if (s instanceof Signal.Qemu q) {
        status = q.status();
      } else if (s != null) {
        onCommonSignal(s);
        continue;
      } else {
        status = queryMigrate().status();
      }
      switch (status) {
        case COMPLETED -> {
          fire(new MigrationEvent.StreamCompleted(), "stream completed");
          collectFinalStats();
        }
        case FAILED -> throw fault("QEMU reports the switchover failed: " + qemuError());
        case CANCELLED -> throw fault("QEMU cancelled the migration during switchover");
        default -> {
          if (ctx.clock().instant().isAfter(deadline)) {
            throw fault("switchover did not complete within " + SWITCHOVER_WAIT.toSeconds() + " s");
          }
        }
      }
    }
  }

  private void collectFinalStats() {
    MigrationInfo info = queryMigrate();
    info.downtime().ifPresent(d -> downtimeMs = d.toMillis());
    info.ram()
        .ifPresent(
            st -> {
              bytesTransferred = st.transferred();
              passes = Math.max(passes, st.dirtySyncCount());
              Duration total = info.totalTime().orElse(Duration.ZERO);
              Duration first =
                  secondPassAt != null && precopyStart != null
                      ? Duration.between(precopyStart, secondPassAt)
                      : total;
              ctx.estimates()
                  .observeStream(
                      DataRate.of(st.total(), first),
                      st.throughput().bytesPerSecond() > 0 ? st.throughput() : DataRate.ZERO);
            });
    if (tracker != null) {
      progress = tracker.enter(ctx.clock().instant(), MigrationPhase.HANDOVER);
    }
  }

  // ---------------------------------------------------------------- handover

  private void handover() {
    if (!(state instanceof MigrationState.Handover)) {
      return;
    }
    long epoch = handle.epoch() + 1;
    Optional<String> leaseProblem =
        ctx.vms().manager().transfer(vm, destHost, handle.epoch(), id.value());
    if (leaseProblem.isPresent()) {
      refusedHandover(leaseProblem.get());
      return;
    }
    Instant deadline = ctx.clock().instant().plus(ctx.keepAliveTimeout()).plus(HANDOVER_RETRY);
    String lastProblem = "";
    while (ctx.clock().instant().isBefore(deadline)) {
      try {
        IncomingStatus st = dest.handover(id.value(), epoch);
        if (st.state() == IncomingStatus.State.HANDED_OVER) {
          handedOver(epoch);
          return;
        }
        lastProblem = "destination reports " + st.state().text();
      } catch (ApiException e) {
        refusedHandover(e.getMessage());
        return;
      } catch (AgentUnreachableException e) {
        lastProblem = e.getMessage();
        Optional<IncomingStatus> st = statusQuietly();
        if (st.isPresent() && st.get().state() == IncomingStatus.State.HANDED_OVER) {
          handedOver(st.get().epoch().orElse(epoch));
          return;
        }
      }
      sleep(Duration.ofMillis(500));
    }
    stopKeepAlive();
    fire(
        new MigrationEvent.HandoverUnknown(
            "handover to " + destHost + " unconfirmed: " + lastProblem),
        lastProblem);
    handle.keepPaused();
    warnings.add(
        "VM '"
            + vm
            + "' is kept paused on "
            + ctx.hostName()
            + ": resume it only after making sure "
            + destHost
            + " does not run it");
    persist();
  }

  private void handedOver(long epoch) {
    newEpoch = epoch;
    stopKeepAlive();
    fire(
        new MigrationEvent.HandedOver(epoch),
        destHost + " owns and runs the VM (epoch " + epoch + ")");
  }

  private void refusedHandover(String why) {
    fire(new MigrationEvent.HandoverRefused(why), why);
    rollback();
  }

  private Optional<IncomingStatus> statusQuietly() {
    try {
      return Optional.of(dest.incomingStatus(id.value()));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  // ---------------------------------------------------------------- cleanup and rollback

  private void cleanup() {
    try {
      handle.release(destHost, newEpoch);
      ctx.vms().forgetMigratedAway(vm);
      for (Preflight.DiskCopyPlan c : copies) {
        if (settings.keepSource()) {
          note("kept the source copy of " + c.disk().id() + " at " + c.disk().path());
        } else {
          java.nio.file.Files.deleteIfExists(c.disk().path());
          note("removed the source copy of " + c.disk().id() + " at " + c.disk().path());
        }
      }
      progress =
          tracker == null ? progress : tracker.enter(ctx.clock().instant(), MigrationPhase.CLEANUP);
      fire(new MigrationEvent.CleanedUp(), "source QEMU and host resources released");
    } catch (RuntimeException | java.io.IOException e) {
      warnings.add("cleanup on " + ctx.hostName() + ": " + e.getMessage());
      fire(new MigrationEvent.Fault(e.getMessage()), "cleanup problem: " + e.getMessage());
    }
  }

  private void rollback() {
    if (!mirrorJobs.isEmpty() || !nbdNodes.isEmpty()) {
      cancelMirrors();
    }
    if (qemuStarted) {
      try {
        MigrationStatus s = handle.qmp().call(new QueryMigrate()).status();
        if (!s.isFinal()) {
          handle.qmp().call(new MigrateCancel());
        }
        awaitFinalQemuStatus();
      } catch (QmpException e) {
        warnings.add("cancelling the QEMU migration: " + e.getMessage());
      }
    }
    stopKeepAlive();
    try {
      dest.abortIncoming(id.value());
    } catch (ApiException e) {
      if (e.status() != 404) {
        warnings.add("destination refused to remove its side: " + e.getMessage());
      }
    } catch (AgentUnreachableException e) {
      warnings.add(
          "destination "
              + destHost
              + " unreachable; it removes its side itself within "
              + ctx.keepAliveTimeout().toSeconds()
              + " s of silence");
    }
    try {
      handle.rollBack();
    } catch (RuntimeException e) {
      warnings.add("resuming on the source: " + e.getMessage());
    }
    fire(new MigrationEvent.RolledBack(), "VM running on " + ctx.hostName());
  }

  private void awaitFinalQemuStatus() {
    Instant deadline = ctx.clock().instant().plus(CANCEL_WAIT);
    while (ctx.clock().instant().isBefore(deadline)) {
      MigrationStatus s = handle.qmp().call(new QueryMigrate()).status();
      if (s.isFinal() || s == MigrationStatus.NONE) {
        return;
      }
      sleep(Duration.ofMillis(100));
    }
    warnings.add("QEMU did not finish cancelling within " + CANCEL_WAIT.toSeconds() + " s");
  }

  // ---------------------------------------------------------------- keepalive

  private void startKeepAlive() {
    keepAlive =
        ctx.scheduler()
            .scheduleWithFixedDelay(
                () -> {
                  try {
                    dest.keepAlive(id.value());
                    keepAliveFailures.set(0);
                  } catch (ApiException e) {
                    if (e.status() == 404) {
                      inbox.add(
                          new Signal.Fault(
                              destHost + " no longer knows the migration (its agent restarted?)"));
                    }
                  } catch (RuntimeException e) {
                    if (keepAliveFailures.incrementAndGet() == KEEPALIVE_FAILURES) {
                      inbox.add(
                          new Signal.Fault(
                              "destination agent "
                                  + destHost
                                  + " unreachable for "
                                  + KEEPALIVE_FAILURES
                                  + " s: "
                                  + e.getMessage()));
                    }
                  }
                },
                0,
                KEEPALIVE_PERIOD.toMillis(),
                TimeUnit.MILLISECONDS);
  }

  private void stopKeepAlive() {
    if (keepAlive != null) {
      keepAlive.cancel(false);
    }
  }

  // ---------------------------------------------------------------- plumbing

  private void drainInbox() {
    Signal s;
    while ((s = inbox.poll()) != null) {
      onCommonSignal(s);
    }
  }

  private Signal poll(Duration wait) {
    try {
      long ms = Math.max(0, wait.toMillis());
      return inbox.poll(ms, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw fault("interrupted");
    }
  }

  private MigrationInfo queryMigrate() {
    try {
      return handle.qmp().call(new QueryMigrate(), Duration.ofSeconds(10));
    } catch (QmpException e) {
      throw fault("source QEMU does not answer: " + e.getMessage());
    }
  }

  private String qemuError() {
    try {
      return handle.qmp().call(new QueryMigrate()).errorDesc().orElse("no reason given");
    } catch (QmpException e) {
      return "(" + e.getMessage() + ")";
    }
  }

  /**
   * The limit handed to QEMU for a pause of {@code target}. With the TCG RAM pad (QEMU before 9)
   * the final dirty-bitmap sync runs page by page inside the pause and costs several times what
   * QEMU's model counts (it only counts sending), so QEMU is given a proportionally lower limit.
   */
  private Duration qemuLimit(Duration target) {
    if (!Preflight.padded(ctx.facts().get())) {
      return target;
    }
    Duration scaled = target.dividedBy(PADDED_SYNC_FACTOR);
    return scaled.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : scaled;
  }

  private static final int PADDED_SYNC_FACTOR = 32;

  private DataRate uncapped() {
    DataRate twice = DataRate.ofBytesPerSecond(linkRate.bytesPerSecond() * 2);
    return twice.compareTo(MIN_UNCAPPED) < 0 ? MIN_UNCAPPED : twice;
  }

  private MigrationAbortedException fault(String cause) {
    return new MigrationAbortedException(new MigrationEvent.Fault(cause));
  }

  private static String describe(MigrationEvent e) {
    return switch (e) {
      case MigrationEvent.AbortRequested a -> "abort: " + a.reason();
      case MigrationEvent.Fault f -> "fault: " + f.cause();
      default -> e.toString();
    };
  }

  /** Applies an event through the state machine, records and announces the transition. */
  private void fire(MigrationEvent event, String why) {
    recordLock.lock();
    try {
      MigrationState from = state;
      MigrationState to = MigrationStateMachine.next(from, event);
      Instant now = ctx.clock().instant();
      state = to;
      if (!(to instanceof MigrationState.RollingBack) && !to.terminal()) {
        phases.putIfAbsent(to.phase(), now);
      }
      if (!from.label().equals(to.label())) {
        transitions.add(new MigrationRecord.Transition(now, from.label(), to.label(), why));
        log.info("Migration {} of {}: {} -> {} ({})", id, vm, from.label(), to.label(), why);
      }
      if (to.terminal()) {
        endedAt = now;
        switch (to) {
          case MigrationState.Aborted a ->
              error = new MigrationRecord.MigrationError(a.phase(), "aborted: " + a.reason());
          case MigrationState.Failed f ->
              error = new MigrationRecord.MigrationError(f.phase(), f.cause());
          default -> {}
        }
        if (tracker != null && to instanceof MigrationState.Completed) {
          progress = tracker.enter(now, MigrationPhase.CLEANUP);
          Instant copyStart = phases.get(MigrationPhase.PRECOPY);
          Instant copyEnd = phases.get(MigrationPhase.HANDOVER);
          if (copyStart != null && copyEnd != null) {
            ctx.estimates()
                .observeFixedCost(
                    Duration.between(startedAt, now).minus(Duration.between(copyStart, copyEnd)));
          }
        }
      }
    } finally {
      recordLock.unlock();
    }
    persist();
    publishState(why);
  }

  private void note(String message) {
    log.info("Migration {}: {}", id, message);
    transitions.add(
        new MigrationRecord.Transition(
            ctx.clock().instant(), state.label(), state.label(), message));
    persist();
  }

  private void persist() {
    try {
      ctx.store().save(snapshot());
    } catch (RuntimeException e) {
      log.error("Migration {}: cannot persist its record: {}", id, e.toString());
    }
  }

  private void publishState(String message) {
    ctx.events()
        .publish(
            AgentEvent.Type.MIGRATION_STATE,
            Optional.of(vm),
            Optional.empty(),
            state.label() + ": " + message,
            Optional.of(id.value()),
            Optional.ofNullable(progress));
  }

  private void publishProgress(Instant now) {
    if (Duration.between(lastProgressEvent, now).compareTo(PROGRESS_EVERY) < 0) {
      return;
    }
    lastProgressEvent = now;
    ctx.events()
        .publish(
            AgentEvent.Type.MIGRATION_PROGRESS,
            Optional.of(vm),
            Optional.empty(),
            String.format(java.util.Locale.ROOT, "%.1f%%", progress.percent()),
            Optional.of(id.value()),
            Optional.of(progress));
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Finishes or undoes a migration found unfinished after an agent restart. */
  void finishAfterRestart() {
    String phase = state.phase().text();
    Thread.ofVirtual()
        .name("migration-recovery-" + id)
        .start(
            () -> {
              try {
                warnings.add("the source agent restarted during " + phase);
                if (state instanceof MigrationState.Handover
                    || state instanceof MigrationState.Cleanup) {
                  Optional<IncomingStatus> st = statusQuietly();
                  if (st.isPresent() && st.get().state() == IncomingStatus.State.HANDED_OVER) {
                    newEpoch = st.get().epoch().orElse(handle.epoch() + 1);
                    if (state instanceof MigrationState.Handover) {
                      fire(
                          new MigrationEvent.HandedOver(newEpoch),
                          "handover confirmed after restart");
                    }
                    cleanup();
                    return;
                  }
                  if (state instanceof MigrationState.Handover) {
                    handover();
                    if (state instanceof MigrationState.Cleanup) {
                      cleanup();
                    }
                    return;
                  }
                }
                fire(
                    new MigrationEvent.Fault("the source agent restarted during " + phase),
                    "rolling back after restart");
                rollback();
              } catch (RuntimeException e) {
                log.error("Migration {}: recovery failed", id, e);
                warnings.add("recovery failed: " + e);
                persist();
              } finally {
                if (state.terminal()) {
                  ctx.store().deleteNotes(id.value());
                }
                finished.complete(snapshot());
              }
            });
  }
}
