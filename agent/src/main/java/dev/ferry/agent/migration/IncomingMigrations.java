package dev.ferry.agent.migration;

import dev.ferry.agent.AgentException;
import dev.ferry.agent.events.EventBus;
import dev.ferry.agent.vm.IncomingHandle;
import dev.ferry.agent.vm.VmService;
import dev.ferry.api.AgentEvent;
import dev.ferry.api.BandwidthSample;
import dev.ferry.api.IncomingCheck;
import dev.ferry.api.IncomingOffer;
import dev.ferry.api.IncomingRequest;
import dev.ferry.api.IncomingStatus;
import dev.ferry.common.ByteSize;
import dev.ferry.migration.MigrationId;
import dev.ferry.qemu.VmSpec;
import dev.ferry.qmp.BlockCommand;
import dev.ferry.qmp.MigrationCapability;
import dev.ferry.qmp.MigrationCapabilityStatus;
import dev.ferry.qmp.MigrationCommand.MigrateIncoming;
import dev.ferry.qmp.MigrationCommand.MigrateSetCapabilities;
import dev.ferry.qmp.MigrationCommand.MigrateSetParameters;
import dev.ferry.qmp.MigrationCommand.QueryMigrate;
import dev.ferry.qmp.MigrationInfo;
import dev.ferry.qmp.MigrationParameters;
import dev.ferry.qmp.MigrationStatus;
import dev.ferry.qmp.QmpException;
import dev.ferry.qmp.SocketAddress;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The destination role: prepares a QEMU that waits for an incoming stream, hands the VM over when
 * the source grants ownership, and removes its side on abort — or on its own when the source goes
 * silent (a watchdog on keepalives), so that a cut network never leaves a stray VM behind.
 * Operations on one incoming side are serialised by its lock; the watchdog runs on the agent's
 * scheduler.
 */
public final class IncomingMigrations {
  private static final Logger log = LoggerFactory.getLogger(IncomingMigrations.class);
  private static final Duration WATCHDOG_PERIOD = Duration.ofSeconds(1);
  private static final ByteSize MEMORY_MARGIN = ByteSize.ofMiB(128);
  private static final Duration SINK_LIFETIME = Duration.ofSeconds(10);

  private final String hostName;
  private final Optional<String> listenAddress;
  private final VmService vms;
  private final EventBus events;
  private final Clock clock;
  private final Supplier<ByteSize> availableMemory;
  private final java.nio.file.Path localStorage;
  private final Map<String, Side> sides = new ConcurrentHashMap<>();

  /** One incoming migration on this host. */
  private static final class Side {
    final MigrationId id;
    final String vm;
    final IncomingHandle handle;
    final Duration keepAliveTimeout;
    final ReentrantLock lock = new ReentrantLock();
    volatile Instant lastKeepAlive;
    volatile IncomingStatus.State state = IncomingStatus.State.RECEIVING;
    volatile Optional<Long> epoch = Optional.empty();
    volatile String why = "";
    List<java.nio.file.Path> createdImages = List.of();
    List<String> exports = List.of();

    Side(MigrationId id, String vm, IncomingHandle handle, Duration timeout, Instant now) {
      this.id = id;
      this.vm = vm;
      this.handle = handle;
      this.keepAliveTimeout = timeout;
      this.lastKeepAlive = now;
    }
  }

  public IncomingMigrations(
      String hostName,
      Optional<String> listenAddress,
      VmService vms,
      EventBus events,
      Clock clock,
      Supplier<ByteSize> availableMemory,
      java.nio.file.Path localStorage,
      ScheduledExecutorService scheduler) {
    this.localStorage = localStorage;
    this.hostName = hostName;
    this.listenAddress = listenAddress;
    this.vms = vms;
    this.events = events;
    this.clock = clock;
    this.availableMemory = availableMemory;
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
    if (vms.list().stream().anyMatch(v -> v.spec().name().equals(spec.name()))) {
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

  /** Starts the destination QEMU and returns where the source should send the stream. */
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
    DiskTargets targets = DiskTargets.create(r, localStorage, freeBytes(), hostName);
    IncomingHandle handle;
    try {
      handle = vms.receive(targets.spec(), r.sourceHost(), r.epoch(), r.migration().value());
    } catch (RuntimeException e) {
      targets.delete();
      throw e;
    }
    List<String> exports = new ArrayList<>();
    try {
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
      if (!r.copies().isEmpty()) {
        nbdPort = freePort(addr);
        handle.qmp().call(new BlockCommand.NbdServerStart(new SocketAddress.Inet(addr, nbdPort)));
        for (IncomingRequest.DiskCopy c : r.copies()) {
          String exportId = "export-" + c.disk();
          handle.qmp().call(new BlockCommand.BlockExportAdd(exportId, c.disk(), true, c.disk()));
          exports.add(exportId);
        }
      }
      String uri = "tcp:" + addr + ":" + freePort(addr);
      handle.qmp().call(new MigrateIncoming(uri));
      Side side =
          new Side(
              r.migration(),
              r.spec().name(),
              handle,
              Duration.ofMillis(r.keepAliveTimeoutMs()),
              clock.instant());
      side.createdImages = targets.created();
      side.exports = List.copyOf(exports);
      sides.put(r.migration().value(), side);
      publish(
          side,
          "receiving "
              + r.spec().name()
              + " from "
              + r.sourceHost()
              + " on "
              + uri
              + (exports.isEmpty() ? "" : ", disks over NBD on " + addr + ":" + nbdPort));
      return new IncomingOffer(
          r.migration(), uri, exports.isEmpty() ? Optional.empty() : Optional.of(addr), nbdPort);
    } catch (RuntimeException e) {
      handle.discard("preparation failed: " + e.getMessage());
      vms.forgetIncoming(r.spec().name());
      targets.delete();
      throw e instanceof AgentException ae
          ? ae
          : new AgentException.Failed(
              "cannot prepare to receive '" + r.spec().name() + "': " + e.getMessage(), e);
    }
  }

  public IncomingStatus keepAlive(String id) {
    Side side = find(id);
    side.lastKeepAlive = clock.instant();
    return status(side);
  }

  public IncomingStatus status(String id) {
    return status(find(id));
  }

  /**
   * Takes the VM over with {@code epoch}: only once the stream is complete, and only with an epoch
   * newer than the one the source owned it with. Idempotent for the same epoch.
   */
  public IncomingStatus handover(String id, long epoch) {
    Side side = find(id);
    side.lock.lock();
    try {
      switch (side.state) {
        case HANDED_OVER -> {
          if (side.epoch.equals(Optional.of(epoch))) {
            return status(side);
          }
          throw new AgentException.Conflict(
              "migration " + id + " was already handed over with epoch " + side.epoch.orElse(0L));
        }
        case ABORTED ->
            throw new AgentException.Conflict(
                "migration " + id + " was aborted on " + hostName + ": " + side.why);
        case RECEIVING -> {}
      }
      MigrationInfo info = side.handle.qmp().call(new QueryMigrate());
      if (info.status() != MigrationStatus.COMPLETED) {
        throw new AgentException.Conflict(
            "cannot take over VM '"
                + side.vm
                + "': the incoming stream is "
                + info.status().name().toLowerCase(java.util.Locale.ROOT)
                + ", not completed");
      }
      stopExports(side);
      side.handle.takeOver(epoch);
      side.epoch = Optional.of(epoch);
      side.state = IncomingStatus.State.HANDED_OVER;
      publish(side, "took over " + side.vm + " with epoch " + epoch + "; it runs here now");
      return status(side);
    } finally {
      side.lock.unlock();
    }
  }

  /** Removes the incoming side (idempotent); refused once the VM was handed over. */
  public IncomingStatus abort(String id, String why) {
    Side side = find(id);
    side.lock.lock();
    try {
      if (side.state == IncomingStatus.State.HANDED_OVER) {
        throw new AgentException.Conflict(
            "migration " + id + " was handed over; VM '" + side.vm + "' runs on " + hostName);
      }
      if (side.state == IncomingStatus.State.RECEIVING) {
        discard(side, why);
      }
      return status(side);
    } finally {
      side.lock.unlock();
    }
  }

  /**
   * Opens a one-shot TCP sink on the address the migration stream will use and returns its port:
   * the source times a burst through it, over the same path as the QEMU stream, without HTTP in the
   * way. The sink reads until the sender closes, answers one byte, and is gone after 10 s.
   */
  public BandwidthSample openSink() {
    String addr =
        listenAddress.orElseThrow(
            () -> new AgentException.Conflict(hostName + " has no TCP address for a sink"));
    ServerSocket server;
    try {
      server = new ServerSocket(0, 1, InetAddress.getByName(addr));
      server.setSoTimeout((int) SINK_LIFETIME.toMillis());
    } catch (IOException e) {
      throw new AgentException.Failed("cannot open a bandwidth sink on " + addr + ": " + e, e);
    }
    Thread.ofVirtual()
        .name("bandwidth-sink")
        .start(
            () -> {
              try (server;
                  var socket = server.accept();
                  InputStream in = socket.getInputStream()) {
                socket.setSoTimeout((int) SINK_LIFETIME.toMillis());
                byte[] buf = new byte[1 << 16];
                while (in.read(buf) >= 0) {
                  // Counting is the sender's job; draining is ours.
                }
                socket.getOutputStream().write(1);
              } catch (IOException e) {
                log.debug("bandwidth sink: {}", e.toString());
              }
            });
    return new BandwidthSample(server.getLocalPort(), 0);
  }

  /**
   * After an agent restart: an incoming side cannot be resumed (its keepalives and state are gone),
   * so each one is discarded; the source sees the stream break and rolls back.
   */
  public void recover() {
    for (String name : vms.incomingNames()) {
      Optional<IncomingHandle> h = vms.incoming(name, "recovery");
      h.ifPresent(handle -> handle.discard("the agent restarted while receiving it"));
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
    for (Side side : sides.values()) {
      if (side.state != IncomingStatus.State.RECEIVING) {
        continue;
      }
      String why = null;
      if (!side.handle.alive()) {
        why = "the destination QEMU exited";
      } else if (Duration.between(side.lastKeepAlive, now).compareTo(side.keepAliveTimeout) > 0) {
        why =
            "no keepalive from the source for "
                + Duration.between(side.lastKeepAlive, now).toSeconds()
                + " s";
      }
      if (why != null && side.lock.tryLock()) {
        try {
          if (side.state == IncomingStatus.State.RECEIVING) {
            log.warn("Incoming migration {} of {}: {}; removing it", side.id, side.vm, why);
            discard(side, why);
          }
        } catch (RuntimeException e) {
          log.error("Incoming migration {}: cleanup failed: {}", side.id, e.toString());
        } finally {
          side.lock.unlock();
        }
      }
    }
  }

  private void discard(Side side, String why) {
    side.why = why;
    side.state = IncomingStatus.State.ABORTED;
    try {
      side.handle.discard(why);
    } catch (QmpException | AgentException e) {
      log.warn("Incoming migration {}: discard: {}", side.id, e.getMessage());
    }
    vms.forgetIncoming(side.vm);
    for (java.nio.file.Path image : side.createdImages) {
      try {
        java.nio.file.Files.deleteIfExists(image);
      } catch (IOException e) {
        log.warn("Incoming migration {}: cannot delete copy {}: {}", side.id, image, e.toString());
      }
    }
    publish(
        side,
        "incoming side removed: "
            + why
            + (side.createdImages.isEmpty() ? "" : "; partial disk copies deleted"));
  }

  private void stopExports(Side side) {
    for (String export : side.exports) {
      try {
        side.handle.qmp().call(new BlockCommand.BlockExportDel(export, Optional.empty()));
      } catch (QmpException e) {
        log.warn("Incoming migration {}: removing export {}: {}", side.id, export, e.getMessage());
      }
    }
    if (!side.exports.isEmpty()) {
      try {
        side.handle.qmp().call(new BlockCommand.NbdServerStop());
      } catch (QmpException e) {
        log.warn("Incoming migration {}: stopping the NBD server: {}", side.id, e.getMessage());
      }
    }
  }

  private long freeBytes() {
    try {
      java.nio.file.Files.createDirectories(localStorage);
      return java.nio.file.Files.getFileStore(localStorage).getUsableSpace();
    } catch (IOException e) {
      return 0;
    }
  }

  private IncomingStatus status(Side side) {
    Optional<String> qemu = Optional.empty();
    if (side.state == IncomingStatus.State.RECEIVING && side.handle.alive()) {
      try {
        qemu =
            Optional.of(
                side.handle
                    .qmp()
                    .call(new QueryMigrate(), Duration.ofSeconds(5))
                    .status()
                    .name()
                    .toLowerCase(java.util.Locale.ROOT));
      } catch (QmpException e) {
        qemu = Optional.of("unknown (" + e.getMessage() + ")");
      }
    }
    return new IncomingStatus(side.id, side.vm, side.state, qemu, side.epoch);
  }

  private Side find(String id) {
    Side side = sides.get(id);
    if (side == null) {
      throw new AgentException.NotFound("no incoming migration " + id + " on " + hostName);
    }
    return side;
  }

  private void publish(Side side, String message) {
    log.info("Incoming migration {}: {}", side.id, message);
    events.publish(
        AgentEvent.Type.MIGRATION_STATE,
        Optional.of(side.vm),
        Optional.empty(),
        message,
        Optional.of(side.id.value()),
        Optional.empty());
  }

  private static int freePort(String address) {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(address))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new AgentException.Failed("no free port on " + address + ": " + e.getMessage(), e);
    }
  }
}
