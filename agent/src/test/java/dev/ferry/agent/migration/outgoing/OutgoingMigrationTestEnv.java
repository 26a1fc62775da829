package dev.ferry.agent.migration.outgoing;

import static org.awaitility.Awaitility.await;

import dev.ferry.agent.cluster.LeaseOutcome;
import dev.ferry.agent.cluster.LeaseReclaim;
import dev.ferry.agent.events.EventBus;
import dev.ferry.agent.vm.OutgoingHandle;
import dev.ferry.api.AgentClient;
import dev.ferry.api.AgentEndpoint;
import dev.ferry.api.HostFacts;
import dev.ferry.api.MigrationRequest;
import dev.ferry.common.ByteSize;
import dev.ferry.migration.MigrationPhase;
import dev.ferry.migration.MigrationRecord;
import dev.ferry.migration.MigrationSettings;
import dev.ferry.migration.MigrationState;
import dev.ferry.qemu.Accelerator;
import dev.ferry.qemu.AcceleratorChoice;
import dev.ferry.qemu.AcceleratorDecision;
import dev.ferry.qemu.BootSpec;
import dev.ferry.qemu.DiskFormat;
import dev.ferry.qemu.DiskSpec;
import dev.ferry.qemu.VmSpec;
import dev.ferry.qmp.QmpClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * The outgoing engine on its own, in milliseconds: the real {@link OutgoingMigrations} with its
 * runner and phases, against a fake source QEMU on a real unix socket ({@link FakeSourceQemu}), a
 * fake destination agent on a real loopback HTTP socket ({@link FakeDestinationAgent}), an injected
 * clock a test can move ({@link OffsetClock}), and short engine timings.
 */
final class OutgoingMigrationTestEnv implements AutoCloseable {
  static final String VM = "vm1";
  static final long EPOCH = 4;

  final Path dir;
  final FakeSourceQemu qemu;
  final FakeDestinationAgent dest;
  final OffsetClock clock = new OffsetClock();
  final EventBus events = new EventBus(clock);
  final AtomicReference<LeaseOutcome> lease = new AtomicReference<>(new LeaseOutcome.Moved());

  /** The manager's answers to reclaims, in turn (the last repeats); none: no manager bound. */
  final java.util.Deque<LeaseReclaim> reclaims = new java.util.concurrent.ConcurrentLinkedDeque<>();

  final List<String> forgotten = new java.util.concurrent.CopyOnWriteArrayList<>();
  final Path disk;
  volatile boolean forgetFails;
  private final ScheduledExecutorService scheduler =
      Executors.newScheduledThreadPool(1, Thread.ofVirtual().factory());
  private final QmpClient qmp;
  private final AgentClient destClient;
  FakeOutgoingHandle handle;
  OutgoingMigrations migrations;
  EngineTimings timings =
      new EngineTimings(
          Duration.ofMillis(10),
          Duration.ofMillis(50),
          3,
          Duration.ofMillis(500),
          Duration.ofSeconds(30),
          Duration.ofSeconds(5),
          Duration.ofSeconds(5),
          Duration.ofSeconds(2),
          Duration.ofMillis(300),
          Duration.ofMillis(50),
          Duration.ofMillis(20),
          Duration.ofSeconds(2),
          Duration.ofSeconds(2));

  OutgoingMigrationTestEnv(Path dir) throws IOException {
    this.dir = dir;
    this.qemu = new FakeSourceQemu(dir);
    this.dest = new FakeDestinationAgent(facts("host-b"));
    this.qmp = QmpClient.connect(qemu.socket());
    this.destClient = new AgentClient(AgentEndpoint.parse(dest.url()), Duration.ofSeconds(1));
    this.disk = dir.resolve("images/vm1-disk0.qcow2");
    Files.createDirectories(disk.getParent());
    Files.write(disk, new byte[4096]);
  }

  /** Starts the engine (once the knobs are set) with the VM's spec. */
  OutgoingMigrations engine() {
    if (migrations == null) {
      handle = new FakeOutgoingHandle(spec(), EPOCH, qmp);
      migrations = newEngine(handle);
    }
    return migrations;
  }

  /** A second engine on the same state directory: the agent after a restart. */
  OutgoingMigrations restartedEngine() {
    handle = new FakeOutgoingHandle(spec(), EPOCH, qmp);
    migrations = newEngine(handle);
    return migrations;
  }

  private OutgoingMigrations newEngine(FakeOutgoingHandle h) {
    SourceVms vms =
        new SourceVms() {
          @Override
          public OutgoingHandle beginOutgoing(String vm, String migrationId) {
            return h;
          }

          @Override
          public OutgoingHandle resumeOutgoing(String vm, String migrationId, boolean wasRunning) {
            return h;
          }

          @Override
          public void forgetMigratedAway(String vm) {
            if (forgetFails) {
              throw new IllegalStateException("tap tap-vm1 is busy");
            }
            forgotten.add(vm);
          }

          @Override
          public LeaseOutcome transferLease(String vm, String to, long epoch, String id) {
            return lease.get();
          }

          @Override
          public LeaseReclaim reclaimLease(String vm, String to, long epoch, String id) {
            LeaseReclaim next = reclaims.size() > 1 ? reclaims.poll() : reclaims.peek();
            return next == null ? new LeaseReclaim.NoManager() : next;
          }
        };
    return new OutgoingMigrations(
        "host-a",
        () -> facts("host-a"),
        vms,
        events,
        clock,
        dir.resolve("state"),
        scheduler,
        timings,
        url -> destClient);
  }

  MigrationRecord start(MigrationSettings settings) {
    return engine().migrate(VM, new MigrationRequest("host-b", dest.url(), Optional.of(settings)));
  }

  MigrationRecord start() {
    return start(MigrationSettings.defaults());
  }

  /** Waits (up to 10 s) until the migration's record satisfies {@code p}. */
  MigrationRecord awaitRecord(String id, Predicate<MigrationRecord> p) {
    AtomicReference<MigrationRecord> seen = new AtomicReference<>();
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(5))
        .until(
            () -> {
              seen.set(migrations.get(id));
              return p.test(seen.get());
            });
    return seen.get();
  }

  MigrationRecord awaitState(String id, Class<? extends MigrationState> state) {
    return awaitRecord(id, r -> state.isInstance(r.state()));
  }

  /**
   * Waits until the phase's copy runs (its progress is tracked): the phase itself, not its state.
   */
  MigrationRecord awaitCopying(String id, MigrationPhase phase) {
    return awaitRecord(id, r -> r.progress().isPresent() && r.progress().get().phase() == phase);
  }

  MigrationRecord awaitEnd(String id) {
    return awaitRecord(id, r -> r.state().terminal() && !migrations.isRunning(id));
  }

  VmSpec spec() {
    return new VmSpec(
        VM,
        UUID.fromString("7c1f2a52-54a6-4c1e-9f5e-1d2b3c4d5e6f"),
        1,
        ByteSize.ofBytes(FakeSourceQemu.RAM),
        "pc-i440fx-7.2",
        "qemu64",
        new BootSpec.Kernel(dir.resolve("vmlinuz"), Optional.empty(), "console=ttyS0"),
        List.of(new DiskSpec("disk0", disk, DiskFormat.RAW, false)),
        List.of());
  }

  static HostFacts facts(String host) {
    return new HostFacts(
        host,
        "test",
        "6.1",
        new HostFacts.Cpu("cpu", "vendor", 2, List.of("sse2")),
        new HostFacts.Memory(ByteSize.ofGiB(8), ByteSize.ofGiB(6), ByteSize.ZERO),
        new AcceleratorDecision(Accelerator.TCG, AcceleratorChoice.TCG, "test"),
        new HostFacts.Qemu(
            "7.2.19",
            Path.of("/usr/bin/qemu-system-x86_64"),
            "pc-i440fx-7.2",
            List.of(
                "events",
                "pause-before-switchover",
                "return-path",
                "late-block-activate",
                "validate-uuid",
                "postcopy-ram",
                "auto-converge")),
        List.of(Path.of("/var/lib/ferry/images")),
        List.of("br0"));
  }

  @Override
  public void close() throws IOException {
    if (migrations != null) {
      migrations.close();
    }
    scheduler.shutdownNow();
    qmp.close();
    destClient.close();
    dest.close();
    qemu.close();
  }
}
