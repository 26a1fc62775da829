package dev.ferry.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client against a real QEMU 7.2 (TCG, no guest): the commands' wire forms as QEMU accepts
 * them, real events, real failures. Fails, not skips, when QEMU is missing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QmpClientQemuTest {

  private static final Duration EVENT_WAIT = Duration.ofSeconds(20);
  private static final Duration PROMPTLY = Duration.ofSeconds(2);
  private static final ByteSize DISK = new ByteSize(64L << 20);

  @TempDir Path dir;
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    // Clients first, then the QEMUs they talk to.
    for (AutoCloseable resource : cleanup.reversed()) {
      resource.close();
    }
  }

  private QemuProcess qemu(String name, String... extraArgs) throws Exception {
    QemuProcess qemu = QemuProcess.start(dir, name, extraArgs);
    cleanup.add(qemu);
    return qemu;
  }

  private QmpClient connect(QemuProcess qemu) {
    // QEMU creates the socket file a moment before it listens on it.
    QmpClient client =
        await()
            .atMost(Duration.ofSeconds(10))
            .ignoreException(QmpException.Disconnected.class)
            .until(() -> QmpClient.connect(qemu.socket()), c -> true);
    cleanup.add(client);
    return client;
  }

  private static Throwable failureOf(CompletableFuture<?> future) {
    assertThatThrownBy(future::join).isInstanceOf(CompletionException.class);
    return future.handle((value, error) -> error).join();
  }

  @Test
  void greetingReportsQemu72() throws Exception {
    QmpClient qmp = connect(qemu("vm"));
    QemuVersion version = qmp.greeting().version();
    assertThat(version.major()).as("QEMU major version (%s)", version).isEqualTo(7);
    assertThat(version.minor()).as("QEMU minor version (%s)", version).isEqualTo(2);
    assertThat(qmp.call(new VmCommand.QueryVersion())).isEqualTo(version);
  }

  @Test
  void vmStartedPausedIsInPrelaunch() throws Exception {
    QmpClient qmp = connect(qemu("vm"));
    assertThat(qmp.call(new VmCommand.QueryStatus()))
        .isEqualTo(new StatusInfo(false, RunState.PRELAUNCH));
  }

  @Test
  void contEmitsResumeAndStopEmitsStop() throws Exception {
    QmpClient qmp = connect(qemu("vm"));

    CompletableFuture<QmpEvent.Resume> resumed = qmp.awaitEvent(QmpEvent.Resume.class, EVENT_WAIT);
    qmp.call(new VmCommand.Cont());
    assertThat(resumed.get()).isNotNull();
    assertThat(qmp.call(new VmCommand.QueryStatus()))
        .isEqualTo(new StatusInfo(true, RunState.RUNNING));

    CompletableFuture<QmpEvent.Stop> stopped = qmp.awaitEvent(QmpEvent.Stop.class, EVENT_WAIT);
    qmp.call(new VmCommand.Stop());
    assertThat(stopped.get().timestamp()).isAfterOrEqualTo(resumed.get().timestamp());
    assertThat(qmp.call(new VmCommand.QueryStatus()))
        .isEqualTo(new StatusInfo(false, RunState.PAUSED));
  }

  @Test
  void resetAndPowerdownEmitTheirEvents() throws Exception {
    QmpClient qmp = connect(qemu("vm"));
    CompletableFuture<QmpEvent.Reset> reset = qmp.awaitEvent(QmpEvent.Reset.class, EVENT_WAIT);
    qmp.call(new VmCommand.SystemReset());
    assertThat(reset.get().reason()).isEqualTo(ShutdownCause.HOST_QMP_SYSTEM_RESET);
    assertThat(reset.get().guest()).isFalse();

    CompletableFuture<QmpEvent.Powerdown> powerdown =
        qmp.awaitEvent(QmpEvent.Powerdown.class, EVENT_WAIT);
    qmp.call(new VmCommand.SystemPowerdown());
    assertThat(powerdown.get()).isNotNull();
  }

  @Test
  void identityQueries() throws Exception {
    UUID uuid = UUID.fromString("8d2c5f7e-3b1a-4c55-9e7d-2f6b0a9c1d34");
    QmpClient qmp = connect(qemu("vm", "-name", "ferry-test", "-uuid", uuid.toString()));
    assertThat(qmp.call(new VmCommand.QueryName()).name()).contains("ferry-test");
    assertThat(qmp.call(new VmCommand.QueryUuid()).uuid()).isEqualTo(uuid);
    assertThat(qmp.call(new VmCommand.QueryKvm()).enabled()).as("TCG, not KVM").isFalse();
    List<CpuInfo> cpus = qmp.call(new VmCommand.QueryCpusFast());
    assertThat(cpus).singleElement().satisfies(cpu -> assertThat(cpu.target()).isEqualTo("x86_64"));
    assertThat(qmp.call(new VmCommand.QueryMachines()))
        .anySatisfy(m -> assertThat(m.alias()).contains("pc"));
    assertThat(qmp.call(new MonitorCommand.HumanMonitorCommand("info status")))
        .startsWith("VM status: paused (prelaunch)");
  }

  @Test
  void migrationCapabilitiesAndParametersRoundTrip() throws Exception {
    QmpClient qmp = connect(qemu("vm"));
    List<MigrationCapabilityStatus> capabilities =
        qmp.call(new MigrationCommand.QueryMigrateCapabilities());
    assertThat(capabilities)
        .extracting(MigrationCapabilityStatus::capability)
        .contains(
            MigrationCapability.EVENTS,
            MigrationCapability.PAUSE_BEFORE_SWITCHOVER,
            MigrationCapability.POSTCOPY_RAM,
            MigrationCapability.MULTIFD);

    MigrationParameters defaults = qmp.call(new MigrationCommand.QueryMigrateParameters());
    assertThat(defaults.downtimeLimit()).contains(Duration.ofMillis(300));
    assertThat(defaults.maxBandwidth()).contains(DataRate.ofMebibytesPerSecond(128));

    qmp.call(
        new MigrationCommand.MigrateSetCapabilities(
            List.of(MigrationCapabilityStatus.enable(MigrationCapability.EVENTS))));
    qmp.call(
        new MigrationCommand.MigrateSetParameters(
            MigrationParameters.builder()
                .downtimeLimit(Duration.ofMillis(30))
                .maxBandwidth(DataRate.ofMebibytesPerSecond(1024))
                .multifdChannels(4)
                .build()));

    assertThat(qmp.call(new MigrationCommand.QueryMigrateCapabilities()))
        .contains(MigrationCapabilityStatus.enable(MigrationCapability.EVENTS));
    MigrationParameters changed = qmp.call(new MigrationCommand.QueryMigrateParameters());
    assertThat(changed.downtimeLimit()).contains(Duration.ofMillis(30));
    assertThat(changed.maxBandwidth()).contains(DataRate.ofMebibytesPerSecond(1024));
    assertThat(changed.multifdChannels()).contains(4);
    assertThat(changed.announceRounds()).as("untouched").isEqualTo(defaults.announceRounds());
  }

  @Test
  void failingCommandsGiveCommandFailedAndTheConnectionStaysUsable() throws Exception {
    QmpClient qmp = connect(qemu("vm"));
    assertThatThrownBy(
            () -> qmp.call(new MigrationCommand.MigrateContinue(MigrationStatus.PRE_SWITCHOVER)))
        .isInstanceOfSatisfying(
            QmpException.CommandFailed.class,
            e -> assertThat(e.errorClass()).isEqualTo(QmpErrorClass.GENERIC_ERROR))
        .hasMessageStartingWith("QMP command 'migrate-continue' failed: GenericError: ");
    assertThatThrownBy(() -> qmp.call(new BlockCommand.BlockdevDel("nothing")))
        .isInstanceOf(QmpException.CommandFailed.class)
        .hasMessageContaining("nothing");
    assertThatThrownBy(() -> qmp.call(new BlockCommand.BlockJobCancel("nojob", true)))
        .isInstanceOfSatisfying(
            QmpException.CommandFailed.class,
            e -> assertThat(e.errorClass()).isEqualTo(QmpErrorClass.DEVICE_NOT_ACTIVE));
    assertThatThrownBy(() -> qmp.call(new MigrationCommand.MigrateIncoming("tcp:127.0.0.1:0")))
        .isInstanceOf(QmpException.CommandFailed.class)
        .hasMessageContaining("-incoming");
    assertThat(qmp.call(new VmCommand.QueryStatus()).status()).isEqualTo(RunState.PRELAUNCH);
  }

  @Test
  void dirtyRateIsMeasured() throws Exception {
    QmpClient qmp = connect(qemu("vm"));
    qmp.call(new VmCommand.Cont());
    qmp.call(new MigrationCommand.CalcDirtyRate(Duration.ofSeconds(1)));
    // QEMU 7.2 emits no event when the measurement ends; polling is the only way.
    DirtyRateInfo info =
        await()
            .atMost(Duration.ofSeconds(15))
            .pollInterval(Duration.ofMillis(200))
            .until(
                () -> qmp.call(new MigrationCommand.QueryDirtyRate()),
                r -> r.status() == DirtyRateInfo.Status.MEASURED);
    assertThat(info.dirtyRate()).isPresent();
    assertThat(info.calcTime()).isEqualTo(Duration.ofSeconds(1));
    assertThat(info.mode()).isEqualTo(DirtyRateInfo.Mode.PAGE_SAMPLING);
  }

  @Test
  void liveMigrationPausesBeforeSwitchoverAndCompletes() throws Exception {
    QmpClient source = connect(qemu("source"));
    QmpClient destination = connect(qemu("destination", "-incoming", "defer"));
    assertThat(destination.call(new VmCommand.QueryStatus()).status())
        .isEqualTo(RunState.INMIGRATE);
    for (QmpClient end : List.of(source, destination)) {
      end.call(
          new MigrationCommand.MigrateSetCapabilities(
              List.of(
                  MigrationCapabilityStatus.enable(MigrationCapability.EVENTS),
                  MigrationCapabilityStatus.enable(MigrationCapability.PAUSE_BEFORE_SWITCHOVER))));
    }
    String uri = "unix:" + dir.resolve("migration.sock");
    destination.call(new MigrationCommand.MigrateIncoming(uri));
    source.call(new VmCommand.Cont());

    List<QmpEvent.Migration> statuses = new java.util.concurrent.CopyOnWriteArrayList<>();
    source.subscribe(QmpEvent.Migration.class, statuses::add);
    CompletableFuture<QmpEvent.Migration> preSwitchover =
        source.awaitEvent(
            QmpEvent.Migration.class,
            e -> e.status() == MigrationStatus.PRE_SWITCHOVER,
            EVENT_WAIT);
    CompletableFuture<QmpEvent.MigrationPass> firstPass =
        source.awaitEvent(QmpEvent.MigrationPass.class, EVENT_WAIT);
    source.call(new MigrationCommand.Migrate(uri));

    preSwitchover.get();
    assertThat(firstPass.get().pass()).isEqualTo(1);
    assertThat(source.call(new MigrationCommand.QueryMigrate()).status())
        .isEqualTo(MigrationStatus.PRE_SWITCHOVER);
    assertThat(source.call(new VmCommand.QueryStatus()).running())
        .as("source is paused at pre-switchover")
        .isFalse();

    CompletableFuture<QmpEvent.Migration> completed =
        source.awaitEvent(QmpEvent.Migration.class, e -> e.status().isFinal(), EVENT_WAIT);
    CompletableFuture<QmpEvent.Migration> arrived =
        destination.awaitEvent(QmpEvent.Migration.class, e -> e.status().isFinal(), EVENT_WAIT);
    source.call(new MigrationCommand.MigrateContinue(MigrationStatus.PRE_SWITCHOVER));
    assertThat(completed.get().status()).isEqualTo(MigrationStatus.COMPLETED);
    assertThat(arrived.get().status()).isEqualTo(MigrationStatus.COMPLETED);

    MigrationInfo info = source.call(new MigrationCommand.QueryMigrate());
    assertThat(info.status()).isEqualTo(MigrationStatus.COMPLETED);
    assertThat(info.downtime()).isPresent();
    assertThat(info.totalTime()).isPresent();
    MigrationInfo.Stats ram = info.ram().orElseThrow();
    assertThat(ram.total().bytes())
        .as("RAM total %s", ram.total())
        .isGreaterThanOrEqualTo(64L << 20);
    assertThat(ram.remaining()).isEqualTo(new ByteSize(0));
    assertThat(statuses)
        .extracting(QmpEvent.Migration::status)
        .startsWith(MigrationStatus.SETUP)
        .contains(MigrationStatus.ACTIVE, MigrationStatus.PRE_SWITCHOVER)
        .endsWith(MigrationStatus.COMPLETED);
    assertThat(source.call(new VmCommand.QueryStatus()).status()).isEqualTo(RunState.POSTMIGRATE);

    // The destination was started with -S, so it waits for cont.
    CompletableFuture<QmpEvent.Resume> resumed =
        destination.awaitEvent(QmpEvent.Resume.class, EVENT_WAIT);
    destination.call(new VmCommand.Cont());
    resumed.get();
    assertThat(destination.call(new VmCommand.QueryStatus()).status()).isEqualTo(RunState.RUNNING);
    destination.call(MigrationCommand.AnnounceSelf.defaults());
  }

  @Test
  void diskMirrorsToAnNbdExportOnAnotherQemu() throws Exception {
    QmpClient target = connect(qemu("target"));
    QmpClient source = connect(qemu("source"));
    SocketAddress nbd = new SocketAddress.Unix(dir.resolve("nbd.sock"));

    target.call(new BlockCommand.BlockdevAdd(new BlockNode.NullCo("disk0", DISK)));
    target.call(new BlockCommand.NbdServerStart(nbd));
    target.call(new BlockCommand.BlockExportAdd("export0", "disk0", true, "disk0"));

    source.call(new BlockCommand.BlockdevAdd(new BlockNode.NullCo("disk0", DISK)));
    source.call(new BlockCommand.BlockdevAdd(new BlockNode.Nbd("target0", nbd, "disk0")));
    CompletableFuture<QmpEvent.BlockJobReady> ready =
        source.awaitEvent(
            QmpEvent.BlockJobReady.class, e -> e.device().equals("mirror0"), EVENT_WAIT);
    source.call(
        new BlockCommand.BlockdevMirror(
            "mirror0",
            "disk0",
            "target0",
            BlockCommand.BlockdevMirror.SyncMode.FULL,
            Optional.of(DataRate.ofBytesPerSecond(1 << 20)),
            Optional.of(BlockCommand.BlockdevMirror.CopyMode.BACKGROUND),
            Optional.of(false),
            Optional.of(false)));
    assertThat(source.call(new BlockCommand.QueryBlockJobs()))
        .singleElement()
        .satisfies(
            job -> {
              assertThat(job.type()).isEqualTo(JobType.MIRROR);
              assertThat(job.device()).isEqualTo("mirror0");
              assertThat(job.speed()).isEqualTo(DataRate.ofBytesPerSecond(1 << 20));
              assertThat(job.autoFinalize()).isFalse();
            });
    // At 1 MiB/s the 64 MiB copy would take a minute: lift the limit.
    source.call(new BlockCommand.BlockJobSetSpeed("mirror0", DataRate.ZERO));
    assertThat(ready.get().len()).isEqualTo(DISK);
    assertThat(source.call(new BlockCommand.QueryBlockJobs()).get(0).ready()).isTrue();

    CompletableFuture<QmpEvent.BlockJobPending> pending =
        source.awaitEvent(QmpEvent.BlockJobPending.class, EVENT_WAIT);
    source.call(new BlockCommand.BlockJobComplete("mirror0"));
    assertThat(pending.get().id()).isEqualTo("mirror0");

    CompletableFuture<QmpEvent.BlockJobCompleted> completed =
        source.awaitEvent(QmpEvent.BlockJobCompleted.class, EVENT_WAIT);
    CompletableFuture<QmpEvent.JobStatusChange> concluded =
        source.awaitEvent(
            QmpEvent.JobStatusChange.class, e -> e.status() == JobStatus.CONCLUDED, EVENT_WAIT);
    source.call(new BlockCommand.JobFinalize("mirror0"));
    assertThat(completed.get().error()).isEmpty();
    concluded.get();
    source.call(new BlockCommand.JobDismiss("mirror0"));
    assertThat(source.call(new BlockCommand.QueryBlockJobs())).isEmpty();

    assertThat(source.call(new BlockCommand.QueryNamedBlockNodes()))
        .anySatisfy(
            node -> {
              assertThat(node.nodeName()).contains("target0");
              assertThat(node.driver()).isEqualTo("nbd");
              assertThat(node.image().virtualSize()).isEqualTo(DISK);
            });
    source.call(new BlockCommand.BlockdevDel("target0"));
    source.call(new BlockCommand.BlockdevDel("disk0"));
    target.call(
        new BlockCommand.BlockExportDel(
            "export0", Optional.of(BlockCommand.BlockExportDel.Mode.HARD)));
    target.call(new BlockCommand.NbdServerStop());
  }

  @Test
  void killingQemuFailsThePendingCommandWithDisconnectedQuickly() throws Exception {
    QemuProcess vm = qemu("vm");
    QmpClient qmp = connect(vm);
    vm.freeze();
    CompletableFuture<StatusInfo> pending =
        qmp.send(new VmCommand.QueryStatus(), Duration.ofMinutes(5));
    assertThat(pending).as("a frozen QEMU cannot answer").isNotDone();

    long killedAt = System.nanoTime();
    vm.kill();
    Throwable failure = failureOf(pending);
    Duration took = Duration.ofNanos(System.nanoTime() - killedAt);

    assertThat(took).as("pending command failed %s after SIGKILL", took).isLessThan(PROMPTLY);
    assertThat(failure)
        .isInstanceOfSatisfying(
            QmpException.Disconnected.class,
            e ->
                assertThat(e.reason())
                    .isInstanceOfAny(CloseReason.PeerClosed.class, CloseReason.IoFailure.class))
        .hasMessageStartingWith("QMP command 'query-status' failed: connection lost");
    assertThatThrownBy(() -> qmp.call(new VmCommand.QueryStatus()))
        .isInstanceOf(QmpException.Disconnected.class);
  }

  @Test
  void quitEmitsShutdownAndEndsTheConnection() throws Exception {
    QemuProcess vm = qemu("vm");
    QmpClient qmp = connect(vm);
    CompletableFuture<QmpEvent.Shutdown> shutdown =
        qmp.awaitEvent(QmpEvent.Shutdown.class, EVENT_WAIT);
    qmp.call(new VmCommand.Quit());
    assertThat(shutdown.get().reason()).isEqualTo(ShutdownCause.HOST_QMP_QUIT);
    assertThat(qmp.closed().get(10, TimeUnit.SECONDS)).isInstanceOf(CloseReason.PeerClosed.class);
    assertThat(vm.awaitExit(Duration.ofSeconds(10))).as("QEMU exited after quit").isTrue();
  }
}
