package dev.ferry.agent.migration.incoming;

import dev.ferry.agent.AgentException;
import dev.ferry.agent.events.EventBus;
import dev.ferry.agent.vm.IncomingHandle;
import dev.ferry.api.AgentEvent;
import dev.ferry.api.BandwidthSample;
import dev.ferry.api.IncomingCheck;
import dev.ferry.api.IncomingOffer;
import dev.ferry.api.IncomingRequest;
import dev.ferry.api.IncomingStatus;
import dev.ferry.common.ByteSize;
import dev.ferry.migration.IncomingEvent;
import dev.ferry.migration.IncomingState;
import dev.ferry.qemu.VmSpec;
import dev.ferry.qmp.BlockCommand;
import dev.ferry.qmp.MigrationCapability;
import dev.ferry.qmp.MigrationCapabilityStatus;
import dev.ferry.qmp.MigrationCommand.MigrateIncoming;
import dev.ferry.qmp.MigrationCommand.MigrateSetCapabilities;
import dev.ferry.qmp.MigrationCommand.MigrateSetParameters;
import dev.ferry.qmp.MigrationCommand.QueryMigrate;
import dev.ferry.qmp.MigrationParameters;
import dev.ferry.qmp.QmpException;
import dev.ferry.qmp.SocketAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The destination role: prepares a QEMU that waits for an incoming stream, hands the VM over when
 * the source grants ownership, and removes its side on abort — or on its own when the source goes
 * silent (a watchdog on keepalives), so that a cut network never leaves a stray VM behind. Each
 * side's state is journalled before it acts ({@link IncomingSide}); after a restart the journal
 * says which sides were handed over (they answer so) and which to remove. Operations on one side
 * are serialised by its lock; the watchdog runs on the agent's scheduler.
 */
public final class IncomingMigrations {
  private static final Logger log = LoggerFactory.getLogger(IncomingMigrations.class);
  private static final Duration WATCHDOG_PERIOD = Duration.ofSeconds(1);
  private static final Duration KEEP_FINISHED = Duration.ofDays(1);
  private static final ByteSize MEMORY_MARGIN = ByteSize.ofMiB(128);

  private final String hostName;
  private final Optional<String> listenAddress;
  private final DestinationVms vms;
  private final EventBus events;
  private final Clock clock;
  private final Supplier<ByteSize> availableMemory;
  private final Path localStorage;
  private final IncomingStore store;
  private final Takeovers takeovers;
  private final PostcopyRecovery postcopy;
  private final Map<String, IncomingSide> sides = new ConcurrentHashMap<>();

  /**
   * @param hostName this host's name
   * @param listenAddress the address migration streams and NBD exports listen on
   * @param localStorage where copies of migrated disks are created
   * @param stateDir where the journals live
   */
  public IncomingMigrations(
      String hostName,
      Optional<String> listenAddress,
      DestinationVms vms,
      EventBus events,
      Clock clock,
      Supplier<ByteSize> availableMemory,
      Path localStorage,
      Path stateDir,
      ScheduledExecutorService scheduler) {
    this.hostName = hostName;
    this.listenAddress = listenAddress;
    this.vms = vms;
    this.events = events;
    this.clock = clock;
    this.availableMemory = availableMemory;
    this.localStorage = localStorage;
    this.store = new IncomingStore(stateDir);
    this.takeovers = new Takeovers(this, vms, clock, hostName);
    this.postcopy = new PostcopyRecovery(this, vms, listenAddress);
    scheduler.scheduleWithFixedDelay(
        this::watchdog,
        WATCHDOG_PERIOD.toMillis(),
        WATCHDOG_PERIOD.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** Could this host receive the VM? Lists every problem; changes nothing. */
  public IncomingCheck check(VmSpec spec) {
    List<String> problems = new ArrayList<>();
    if (listenAddress.isEmpty()) {
      problems.add("host " + hostName + " has no TCP address to receive a migration stream on");
    }
    if (vms.find(spec.name()).isPresent()) {
      problems.add("a VM named '" + spec.name() + "' already exists on " + hostName);
    }
    ByteSize free = availableMemory.get();
    if (spec.memory().plus(MEMORY_MARGIN).compareTo(free) > 0) {
      problems.add(
          "not enough memory on "
              + hostName
              + ": "
              + free
              + " available, the VM needs "
              + spec.memory()
              + " (+ "
              + MEMORY_MARGIN
              + " margin)");
    }
    List<IncomingCheck.DiskVisibility> disks = new ArrayList<>();
    try {
      vms.revalidateBootAndDevices(spec);
    } catch (AgentException e) {
      problems.add(e.getMessage() + " (on " + hostName + ")");
    }
    for (var d : spec.disks()) {
      disks.add(vms.diskVisibility(d));
    }
    return new IncomingCheck(problems, disks, localStorage.toString(), freeBytes());
  }

  /**
   * Starts the destination QEMU and returns where the source should send the stream. The side is
   * journalled (with the images it will create) before anything is created.
   */
  public IncomingOffer prepare(IncomingRequest r) {
    if (sides.containsKey(r.migration().value())) {
      throw new AgentException.Conflict(
          "migration " + r.migration() + " is already being received");
    }
    IncomingCheck check = check(r.spec());
    if (!check.problems().isEmpty()) {
      throw new AgentException.Conflict(
          "cannot receive VM '" + r.spec().name() + "': " + String.join("; ", check.problems()));
    }
    DiskTargets targets = DiskTargets.plan(r, localStorage, freeBytes(), hostName);
    List<String> exports = r.copies().stream().map(c -> "export-" + c.disk()).toList();
    IncomingSide side =
        new IncomingSide(
            store,
            new IncomingRecord(
                r.migration(),
                r.spec().name(),
                r.sourceHost(),
                Duration.ofMillis(r.keepAliveTimeoutMs()),
                new IncomingState.Receiving(targets.paths(), exports),
                clock.instant()),
            null);
    try {
      store.save(side.record());
    } catch (RuntimeException e) {
      throw new AgentException.Failed(
          "cannot journal the incoming migration " + r.migration() + ": " + e.getMessage(), e);
    }
    // Held until the side is ready, so the watchdog leaves a side being prepared alone.
    side.lock.lock();
    try {
      sides.put(r.migration().value(), side);
      targets.create();
      side.attach(vms.receive(targets.spec(), r.sourceHost(), r.epoch(), r.migration().value()));
      Listening at = listen(side.handle().orElseThrow(), r, exports);
      side.keptAlive(clock.instant());
      publish(
          side,
          "receiving "
              + r.spec().name()
              + " from "
              + r.sourceHost()
              + " on "
              + at.uri()
              + (exports.isEmpty()
                  ? ""
                  : ", disks over NBD on " + listenAddress.orElseThrow() + ":" + at.nbdPort()));
      return new IncomingOffer(
          r.migration(),
          at.uri(),
          exports.isEmpty() ? Optional.empty() : listenAddress,
          at.nbdPort());
    } catch (RuntimeException e) {
      discard(side, "preparation failed: " + e.getMessage());
      throw e instanceof AgentException ae
          ? ae
          : new AgentException.Failed(
              "cannot prepare to receive '" + r.spec().name() + "': " + e.getMessage(), e);
    } finally {
      side.lock.unlock();
    }
  }

  /** Where a prepared destination QEMU listens: the stream's URI and the NBD port (0: none). */
  private record Listening(String uri, int nbdPort) {}

  /** Sets the destination QEMU up to receive: capabilities, NBD exports, the incoming URI. */
  private Listening listen(IncomingHandle handle, IncomingRequest r, List<String> exports) {
    List<MigrationCapabilityStatus> caps =
        r.capabilities().stream()
            .map(c -> MigrationCapabilityStatus.enable(MigrationCapability.of(c)))
            .toList();
    if (!caps.isEmpty()) {
      handle.qmp().call(new MigrateSetCapabilities(caps));
    }
    if (r.multifdChannels() > 1) {
      handle
          .qmp()
          .call(
              new MigrateSetParameters(
                  MigrationParameters.builder().multifdChannels(r.multifdChannels()).build()));
    }
    String addr = listenAddress.orElseThrow();
    int nbdPort = 0;
    if (!exports.isEmpty()) {
      nbdPort = BandwidthSink.freePort(addr);
      handle.qmp().call(new BlockCommand.NbdServerStart(new SocketAddress.Inet(addr, nbdPort)));
      for (IncomingRequest.DiskCopy c : r.copies()) {
        handle
            .qmp()
            .call(new BlockCommand.BlockExportAdd("export-" + c.disk(), c.disk(), true, c.disk()));
      }
    }
    String uri = "tcp:" + addr + ":" + BandwidthSink.freePort(addr);
    handle.qmp().call(new MigrateIncoming(uri));
    return new Listening(uri, nbdPort);
  }

  public IncomingStatus keepAlive(String id) {
    IncomingSide side = find(id);
    side.keptAlive(clock.instant());
    return status(side);
  }

  public IncomingStatus status(String id) {
    return status(find(id));
  }

  /**
   * Takes the VM over with {@code epoch}: only once the stream is complete (or in post-copy), only
   * with the lease activated here, idempotent for the same epoch (see {@link Takeovers}).
   */
  public IncomingStatus handover(String id, long epoch) {
    return takeovers.handover(id, epoch);
  }

  /** Reopens a broken post-copy stream (see {@link PostcopyRecovery}). */
  public IncomingOffer recoverPostcopy(String id) {
    return postcopy.recoverPostcopy(id);
  }

  /** Removes the incoming side (idempotent); refused once the VM is being or was handed over. */
  public IncomingStatus abort(String id, String why) {
    IncomingSide side = find(id);
    side.lock.lock();
    try {
      switch (side.state()) {
        case IncomingState.HandedOver h ->
            throw new AgentException.Conflict(
                "migration " + id + " was handed over; VM '" + side.vm() + "' runs on " + hostName);
        case IncomingState.TakingOver t ->
            throw new AgentException.Conflict(
                "migration " + id + " is being handed over; VM '" + side.vm() + "' stays here");
        case IncomingState.Receiving r -> discard(side, why);
        case IncomingState.Discarded d -> {}
      }
      return status(side);
    } finally {
      side.lock.unlock();
    }
  }

  /** Opens a one-shot bandwidth sink on the migration address (see {@link BandwidthSink}). */
  public BandwidthSample openSink() {
    String addr =
        listenAddress.orElseThrow(
            () -> new AgentException.Conflict(hostName + " has no TCP address for a sink"));
    return BandwidthSink.open(addr);
  }

  /**
   * After an agent restart, from the journals: a side that was receiving cannot be resumed (its
   * keepalives and stream are gone) and is removed, so the source rolls back; a side whose takeover
   * was journalled is handed over if this host's VM record shows the ownership it took, else
   * removed; finished sides keep answering the source. Incoming VMs no journal names (left by an
   * older agent) are discarded.
   */
  public void recover() {
    Instant now = clock.instant();
    for (IncomingRecord r : store.load()) {
      IncomingSide side =
          new IncomingSide(store, r, vms.incoming(r.vm(), r.migration().value()).orElse(null));
      if (r.state().terminal()) {
        if (Duration.between(r.since(), now).compareTo(KEEP_FINISHED) > 0) {
          store.delete(r.migration().value());
        } else {
          sides.put(r.migration().value(), side);
        }
        continue;
      }
      sides.put(r.migration().value(), side);
      side.lock.lock();
      try {
        if (r.state() instanceof IncomingState.TakingOver t) {
          takeovers.recoverTakeover(side, t);
          continue;
        }
        discard(side, "the agent restarted while receiving it");
        log.warn("Discarded incoming VM {} left from before the agent restarted", r.vm());
      } finally {
        side.lock.unlock();
      }
    }
    for (String name : vms.incomingNames()) {
      if (sides.values().stream().anyMatch(s -> s.vm().equals(name))) {
        continue;
      }
      vms.incoming(name, "recovery")
          .ifPresent(h -> h.discard("the agent restarted while receiving it"));
      vms.forgetIncoming(name);
      log.warn("Discarded incoming VM {} left from before the agent restarted", name);
      events.publish(
          AgentEvent.Type.MIGRATION_STATE,
          Optional.of(name),
          Optional.empty(),
          "incoming side discarded: the agent restarted while receiving it");
    }
  }

  private void watchdog() {
    Instant now = clock.instant();
    for (IncomingSide side : sides.values()) {
      if (side.state() instanceof IncomingState.TakingOver t && side.lock.tryLock()) {
        try {
          if (side.state().equals(t)) {
            takeovers.finishTakeover(side, t.epoch());
          }
        } catch (RuntimeException e) {
          log.debug(
              "Incoming migration {}: takeover still pending: {}",
              side.record().migration(),
              e.getMessage());
        } finally {
          side.lock.unlock();
        }
        continue;
      }
      if (!(side.state() instanceof IncomingState.Receiving)) {
        if (side.state().terminal()
            && Duration.between(side.record().since(), now).compareTo(KEEP_FINISHED) > 0) {
          sides.remove(side.record().migration().value(), side);
          store.delete(side.record().migration().value());
        }
        continue;
      }
      String why = null;
      if (side.handle().isEmpty() || !side.handle().get().alive()) {
        why = "the destination QEMU exited";
      } else if (side.silence(now).isPresent()) {
        why = "no keepalive from the source for " + side.silence(now).get().toSeconds() + " s";
      }
      if (why != null && side.lock.tryLock()) {
        try {
          if (side.state() instanceof IncomingState.Receiving) {
            log.warn(
                "Incoming migration {} of {}: {}; removing it",
                side.record().migration(),
                side.vm(),
                why);
            discard(side, why);
          }
        } catch (RuntimeException e) {
          log.error(
              "Incoming migration {}: cleanup failed: {}", side.record().migration(), e.toString());
        } finally {
          side.lock.unlock();
        }
      }
    }
  }

  /** Journals the discard, then removes what the side created. Caller holds the side's lock. */
  void discard(IncomingSide side, String why) {
    if (!(side.state() instanceof IncomingState.Receiving receiving)) {
      return;
    }
    side.fire(new IncomingEvent.Discard(why), clock.instant());
    side.handle()
        .ifPresent(
            h -> {
              try {
                h.discard(why);
              } catch (QmpException | AgentException e) {
                log.warn(
                    "Incoming migration {}: discard: {}",
                    side.record().migration(),
                    e.getMessage());
              }
            });
    vms.forgetIncoming(side.vm());
    DiskTargets.delete(receiving.created());
    publish(
        side,
        "incoming side removed: "
            + why
            + (receiving.created().isEmpty() ? "" : "; partial disk copies deleted"));
  }

  void stopExports(IncomingSide side, IncomingHandle handle, IncomingState.Receiving receiving) {
    for (String export : receiving.exports()) {
      try {
        handle.qmp().call(new BlockCommand.BlockExportDel(export, Optional.empty()));
      } catch (QmpException e) {
        log.warn(
            "Incoming migration {}: removing export {}: {}",
            side.record().migration(),
            export,
            e.getMessage());
      }
    }
    if (!receiving.exports().isEmpty()) {
      try {
        handle.qmp().call(new BlockCommand.NbdServerStop());
      } catch (QmpException e) {
        log.warn(
            "Incoming migration {}: stopping the NBD server: {}",
            side.record().migration(),
            e.getMessage());
      }
    }
  }

  private long freeBytes() {
    try {
      Files.createDirectories(localStorage);
      return Files.getFileStore(localStorage).getUsableSpace();
    } catch (IOException e) {
      return 0;
    }
  }

  IncomingStatus status(IncomingSide side) {
    IncomingRecord r = side.record();
    Optional<String> qemu = Optional.empty();
    Optional<IncomingHandle> handle = side.handle();
    if (r.state() instanceof IncomingState.Receiving
        && handle.isPresent()
        && handle.get().alive()) {
      try {
        qemu =
            Optional.of(
                handle
                    .get()
                    .qmp()
                    .call(new QueryMigrate(), Duration.ofSeconds(5))
                    .status()
                    .name()
                    .toLowerCase(Locale.ROOT));
      } catch (QmpException e) {
        qemu = Optional.of("unknown (" + e.getMessage() + ")");
      }
    }
    return switch (r.state()) {
      case IncomingState.Receiving x ->
          new IncomingStatus(
              r.migration(), r.vm(), IncomingStatus.State.RECEIVING, qemu, Optional.empty());
      case IncomingState.TakingOver x ->
          new IncomingStatus(
              r.migration(), r.vm(), IncomingStatus.State.RECEIVING, qemu, Optional.empty());
      case IncomingState.HandedOver h ->
          new IncomingStatus(
              r.migration(),
              r.vm(),
              IncomingStatus.State.HANDED_OVER,
              Optional.empty(),
              Optional.of(h.epoch()));
      case IncomingState.Discarded d ->
          new IncomingStatus(
              r.migration(),
              r.vm(),
              IncomingStatus.State.ABORTED,
              Optional.empty(),
              Optional.empty());
    };
  }

  IncomingSide find(String id) {
    IncomingSide side = sides.get(id);
    if (side == null) {
      throw new AgentException.NotFound("no incoming migration " + id + " on " + hostName);
    }
    return side;
  }

  void publish(IncomingSide side, String message) {
    log.info("Incoming migration {}: {}", side.record().migration(), message);
    events.publish(
        AgentEvent.Type.MIGRATION_STATE,
        Optional.of(side.vm()),
        Optional.empty(),
        message,
        Optional.of(side.record().migration().value()),
        Optional.empty());
  }
}
