package dev.ferry.agent.migration.incoming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.agent.AgentException;
import dev.ferry.agent.cluster.LeaseActivation;
import dev.ferry.agent.events.EventBus;
import dev.ferry.agent.vm.IncomingHandle;
import dev.ferry.api.IncomingCheck;
import dev.ferry.api.IncomingOffer;
import dev.ferry.api.IncomingRequest;
import dev.ferry.api.IncomingStatus;
import dev.ferry.api.VmInfo;
import dev.ferry.api.VmState;
import dev.ferry.common.ByteSize;
import dev.ferry.migration.MigrationId;
import dev.ferry.qemu.BootSpec;
import dev.ferry.qemu.DiskFormat;
import dev.ferry.qemu.DiskSpec;
import dev.ferry.qemu.VmSpec;
import dev.ferry.qmp.FakeQmpServer;
import dev.ferry.qmp.QmpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The destination role on its own: the real {@link IncomingMigrations} with its journal and
 * watchdog, against a fake destination QEMU on a real unix socket and this host's VMs faked.
 */
@Timeout(30)
class IncomingMigrationsTest {
  @TempDir Path dir;
  FakeQmpServer qemu;
  QmpClient qmp;
  volatile String incomingStatus = "active";
  final ScheduledExecutorService scheduler =
      Executors.newScheduledThreadPool(1, Thread.ofVirtual().factory());
  final Vms vms = new Vms();
  IncomingMigrations incoming;

  /** This host's VMs as the destination role sees them. */
  final class Vms implements DestinationVms {
    final Map<String, VmInfo> defined = new ConcurrentHashMap<>();
    final List<String> events = new CopyOnWriteArrayList<>();
    volatile boolean alive = true;
    volatile RuntimeException takeOverFails;
    volatile Handle handle;

    /** The manager's answer to lease activations. */
    volatile LeaseActivation activation = new LeaseActivation.Activated();

    final class Handle implements IncomingHandle {
      final String name;

      Handle(String name) {
        this.name = name;
      }

      @Override
      public String name() {
        return name;
      }

      @Override
      public QmpClient qmp() {
        return qmp;
      }

      @Override
      public boolean alive() {
        return alive;
      }

      @Override
      public void takeOver(long epoch) {
        if (takeOverFails != null) {
          throw takeOverFails;
        }
        events.add("took over with epoch " + epoch);
        defined.put(name, info(name, "host-b", epoch));
      }

      @Override
      public void discard(String why) {
        events.add("discarded: " + why);
      }
    }

    @Override
    public Optional<VmInfo> find(String name) {
      return Optional.ofNullable(defined.get(name));
    }

    @Override
    public void revalidateBootAndDevices(VmSpec spec) {}

    @Override
    public IncomingCheck.DiskVisibility diskVisibility(DiskSpec disk) {
      return new IncomingCheck.DiskVisibility(disk.id(), disk.path().toString(), false, "local");
    }

    @Override
    public IncomingHandle receive(VmSpec spec, String source, long epoch, String migrationId) {
      defined.put(spec.name(), info(spec.name(), source, epoch));
      handle = new Handle(spec.name());
      return handle;
    }

    @Override
    public Optional<IncomingHandle> incoming(String name, String migrationId) {
      return Optional.ofNullable(handle).map(h -> (IncomingHandle) h);
    }

    @Override
    public void forgetIncoming(String name) {
      events.add("forgot " + name);
      VmInfo v = defined.get(name);
      if (v != null && !v.owner().equals("host-b")) {
        defined.remove(name);
      }
    }

    @Override
    public LeaseActivation activateLease(String vm, long epoch, String migrationId) {
      events.add("activate " + vm + " at epoch " + epoch + ": " + activation);
      return activation;
    }

    @Override
    public Optional<QmpClient> liveMonitor(String name) {
      return Optional.empty();
    }

    @Override
    public boolean giveBackLease(String vm, String source, long epoch, String migrationId) {
      events.add("give back " + vm + " to " + source + " at epoch " + epoch);
      return true;
    }

    @Override
    public void resumeTakenOver(String name) {
      events.add("resumed " + name);
    }

    @Override
    public List<String> incomingNames() {
      return defined.values().stream()
          .filter(v -> !v.owner().equals("host-b"))
          .map(v -> v.spec().name())
          .toList();
    }
  }

  @BeforeEach
  void up() throws Exception {
    qemu = FakeQmpServer.start(dir);
    for (String ok :
        List.of(
            "migrate-set-capabilities",
            "migrate-set-parameters",
            "nbd-server-start",
            "block-export-add",
            "block-export-del",
            "nbd-server-stop",
            "migrate-incoming")) {
      qemu.on(ok, FakeQmpServer.Script.reply("{}"));
    }
    qemu.on("query-migrate", (r, c) -> c.reply(r, "{\"status\":\"" + incomingStatus + "\"}"));
    qmp = QmpClient.connect(qemu.socket());
    incoming = newRole();
  }

  private IncomingMigrations newRole() {
    return new IncomingMigrations(
        "host-b",
        Optional.of("127.0.0.1"),
        vms,
        new EventBus(Clock.systemUTC()),
        Clock.systemUTC(),
        () -> ByteSize.ofGiB(8),
        Files.exists(dir.resolve("images")) ? dir.resolve("images") : mkdirs(dir.resolve("images")),
        dir.resolve("state"),
        scheduler);
  }

  private static Path mkdirs(Path p) {
    try {
      return Files.createDirectories(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @AfterEach
  void down() throws Exception {
    scheduler.shutdownNow();
    qmp.close();
    qemu.close();
  }

  static VmInfo info(String name, String owner, long epoch) {
    return new VmInfo(
        spec(List.of()),
        VmState.RUNNING,
        OptionalLong.empty(),
        Optional.empty(),
        Instant.now(),
        Optional.empty(),
        owner,
        epoch,
        Optional.empty());
  }

  static VmSpec spec(List<DiskSpec> disks) {
    return new VmSpec(
        "vm1",
        UUID.fromString("7c1f2a52-54a6-4c1e-9f5e-1d2b3c4d5e6f"),
        1,
        ByteSize.ofMiB(256),
        "pc-i440fx-7.2",
        "qemu64",
        new BootSpec.Kernel(Path.of("/var/cache/vmlinuz"), Optional.empty(), "console=ttyS0"),
        disks,
        List.of());
  }

  private IncomingRequest request(MigrationId id, boolean copyDisk, Duration keepAlive) {
    DiskSpec disk =
        new DiskSpec(
            "disk0", Path.of("/var/lib/ferry/images/vm1-disk0.qcow2"), DiskFormat.QCOW2, false);
    return new IncomingRequest(
        id,
        "host-a",
        spec(List.of(disk)),
        4,
        List.of("events"),
        1,
        keepAlive.toMillis(),
        copyDisk
            ? List.of(new IncomingRequest.DiskCopy("disk0", DiskFormat.QCOW2, 1 << 20, 1 << 16))
            : List.of());
  }

  private Path journal(MigrationId id) {
    return dir.resolve("state/incoming/" + id.value() + ".json");
  }

  @Test
  void prepareJournalsTheSideAndOffersTheStreamAndTheNbdExport() throws Exception {
    MigrationId id = MigrationId.random();
    IncomingOffer offer = incoming.prepare(request(id, true, Duration.ofSeconds(30)));
    assertThat(offer.uri()).startsWith("tcp:127.0.0.1:");
    assertThat(offer.nbdHost()).contains("127.0.0.1");
    assertThat(Files.readString(journal(id)))
        .startsWith("ferry-state kind=incoming-migration version=1")
        .contains("\"receiving\"")
        .contains("export-disk0");
    assertThat(dir.resolve("images/vm1-disk0.qcow2")).exists();
    assertThat(qemu.received())
        .extracting(FakeQmpServer.Request::command)
        .contains("migrate-incoming");
    assertThat(incoming.status(id.value()).state()).isEqualTo(IncomingStatus.State.RECEIVING);
  }

  @Test
  void inPostcopyTheGuestIsTakenOverWhileTheMemoryStillStreams() {
    MigrationId id = MigrationId.random();
    incoming.prepare(request(id, false, Duration.ofSeconds(30)));
    incomingStatus = "postcopy-active";
    IncomingStatus st = incoming.handover(id.value(), 5);
    assertThat(st.state()).isEqualTo(IncomingStatus.State.HANDED_OVER);
    assertThat(vms.events).contains("took over with epoch 5");
  }

  @Test
  void aBrokenPostcopyStreamIsListenedForAgainAndAGoneQemuIsSaidToBeGone() {
    qemu.on("migrate-recover", FakeQmpServer.Script.reply("{}"));
    MigrationId id = MigrationId.random();
    incoming.prepare(request(id, false, Duration.ofSeconds(30)));
    incomingStatus = "postcopy-active";
    incoming.handover(id.value(), 5);
    incomingStatus = "postcopy-paused";

    IncomingOffer offer = incoming.recoverPostcopy(id.value());
    assertThat(offer.uri()).startsWith("tcp:127.0.0.1:");
    assertThat(qemu.received())
        .filteredOn(r -> r.command().equals("migrate-recover"))
        .singleElement()
        .satisfies(r -> assertThat(r.arguments().path("uri").asText()).isEqualTo(offer.uri()));

    vms.alive = false;
    assertThatThrownBy(() -> incoming.recoverPostcopy(id.value()))
        .isInstanceOf(AgentException.Gone.class)
        .hasMessageContaining("is gone");
  }

  @Test
  void aHandoverWaitsForTheCompleteStreamAndRepeatsIdempotently() {
    MigrationId id = MigrationId.random();
    incoming.prepare(request(id, false, Duration.ofSeconds(30)));
    assertThatThrownBy(() -> incoming.handover(id.value(), 5))
        .as("the stream still arrives: ask again")
        .isInstanceOf(AgentException.Unavailable.class)
        .hasMessageContaining("the incoming stream is active, neither completed nor in post-copy");
    incomingStatus = "completed";
    IncomingStatus st = incoming.handover(id.value(), 5);
    assertThat(st.state()).isEqualTo(IncomingStatus.State.HANDED_OVER);
    assertThat(st.epoch()).contains(5L);
    assertThat(incoming.handover(id.value(), 5)).isEqualTo(st);
    assertThat(vms.events).containsOnlyOnce("took over with epoch 5");
    assertThatThrownBy(() -> incoming.handover(id.value(), 6))
        .hasMessageContaining("already handed over with epoch 5");
    assertThatThrownBy(() -> incoming.abort(id.value(), "late"))
        .isInstanceOf(AgentException.Conflict.class)
        .hasMessageContaining("was handed over");
  }

  @Test
  void anAbortRemovesTheSideAndItsDiskCopiesAndIsIdempotent() {
    MigrationId id = MigrationId.random();
    incoming.prepare(request(id, true, Duration.ofSeconds(30)));
    IncomingStatus st = incoming.abort(id.value(), "the source aborted");
    assertThat(st.state()).isEqualTo(IncomingStatus.State.ABORTED);
    assertThat(dir.resolve("images/vm1-disk0.qcow2")).doesNotExist();
    assertThat(vms.events).contains("discarded: the source aborted", "forgot vm1");
    assertThat(incoming.abort(id.value(), "again").state()).isEqualTo(IncomingStatus.State.ABORTED);
    assertThatThrownBy(() -> incoming.handover(id.value(), 5))
        .hasMessageContaining("was aborted on host-b: the source aborted");
  }

  @Test
  void theWatchdogRemovesASideWhoseSourceWentSilent() {
    MigrationId id = MigrationId.random();
    incoming.prepare(request(id, false, Duration.ofMillis(200)));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> incoming.status(id.value()).state() == IncomingStatus.State.ABORTED);
    assertThat(vms.events).anyMatch(e -> e.startsWith("discarded: no keepalive from the source"));
  }

  @Test
  void theWatchdogRemovesASideWhoseQemuDied() {
    MigrationId id = MigrationId.random();
    incoming.prepare(request(id, false, Duration.ofSeconds(30)));
    vms.alive = false;
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> incoming.status(id.value()).state() == IncomingStatus.State.ABORTED);
    assertThat(vms.events).contains("discarded: the destination QEMU exited");
  }

  @Test
  void aTakeoverWhoseGuestCannotResumeGivesTheLeaseBackAndRemovesTheSide() throws Exception {
    MigrationId id = MigrationId.random();
    incoming.prepare(request(id, false, Duration.ofSeconds(30)));
    incomingStatus = "completed";
    vms.takeOverFails = new AgentException.Failed("cont failed", null);
    assertThatThrownBy(() -> incoming.handover(id.value(), 5))
        .isInstanceOf(AgentException.Conflict.class)
        .hasMessageContaining("the guest could not resume here: cont failed");
    assertThat(vms.events).contains("give back vm1 to host-a at epoch 5");
    assertThat(incoming.status(id.value()).state()).isEqualTo(IncomingStatus.State.ABORTED);
    assertThat(Files.readString(journal(id))).contains("\"discarded\"");
  }

  @Test
  void afterARestartAReceivingSideIsRemovedAndAnswersSoInsteadOfBeingForgotten() {
    MigrationId id = MigrationId.random();
    incoming.prepare(request(id, true, Duration.ofSeconds(30)));
    IncomingMigrations restarted = newRole();
    restarted.recover();
    IncomingStatus st = restarted.status(id.value());
    assertThat(st.state()).isEqualTo(IncomingStatus.State.ABORTED);
    assertThat(vms.events).contains("discarded: the agent restarted while receiving it");
    assertThat(dir.resolve("images/vm1-disk0.qcow2")).doesNotExist();
  }

  @Test
  void afterARestartAHandedOverSideStillConfirmsItsEpochToTheSource() {
    MigrationId id = MigrationId.random();
    incoming.prepare(request(id, false, Duration.ofSeconds(30)));
    incomingStatus = "completed";
    incoming.handover(id.value(), 5);
    IncomingMigrations restarted = newRole();
    restarted.recover();
    IncomingStatus st = restarted.status(id.value());
    assertThat(st.state()).isEqualTo(IncomingStatus.State.HANDED_OVER);
    assertThat(st.epoch()).contains(5L);
    assertThat(vms.events).noneMatch(e -> e.startsWith("discarded"));
  }

  @Test
  void afterARestartATakeoverWhoseOwnershipWasPersistedIsHandedOverElseDecidedByTheLease()
      throws Exception {
    MigrationId id = MigrationId.random();
    incoming.prepare(request(id, false, Duration.ofSeconds(30)));
    // Journal as if the agent died between journalling the takeover and finishing it.
    Path f = journal(id);
    IncomingStore store = new IncomingStore(dir.resolve("state"));
    IncomingRecord r = store.load().getFirst();
    store.save(
        r.with(
            new dev.ferry.migration.IncomingState.TakingOver(
                5, (dev.ferry.migration.IncomingState.Receiving) r.state()),
            Instant.now()));
    vms.defined.put("vm1", info("vm1", "host-b", 5));
    IncomingMigrations restarted = newRole();
    restarted.recover();
    assertThat(restarted.status(id.value()).state()).isEqualTo(IncomingStatus.State.HANDED_OVER);
    assertThat(Files.readString(f)).contains("\"handed-over\"");

    MigrationId other = MigrationId.random();
    vms.defined.clear();
    restarted.prepare(request(other, false, Duration.ofSeconds(30)));
    IncomingRecord o =
        store.load().stream().filter(x -> x.migration().equals(other)).findFirst().orElseThrow();
    store.save(
        o.with(
            new dev.ferry.migration.IncomingState.TakingOver(
                6, (dev.ferry.migration.IncomingState.Receiving) o.state()),
            Instant.now()));
    vms.activation = new LeaseActivation.Refused("the source took the lease back");
    IncomingMigrations again = newRole();
    again.recover();
    assertThat(again.status(other.value()).state()).isEqualTo(IncomingStatus.State.ABORTED);
    assertThat(vms.events).noneMatch(e -> e.equals("took over with epoch 6"));

    MigrationId third = MigrationId.random();
    vms.defined.clear();
    again.prepare(request(third, false, Duration.ofSeconds(30)));
    IncomingRecord t =
        store.load().stream().filter(x -> x.migration().equals(third)).findFirst().orElseThrow();
    store.save(
        t.with(
            new dev.ferry.migration.IncomingState.TakingOver(
                7, (dev.ferry.migration.IncomingState.Receiving) t.state()),
            Instant.now()));
    vms.activation = new LeaseActivation.Activated();
    IncomingMigrations third1 = newRole();
    third1.recover();
    assertThat(third1.status(third.value()).state()).isEqualTo(IncomingStatus.State.HANDED_OVER);
    assertThat(vms.events).contains("took over with epoch 7");
  }

  @Test
  void aHandoverWaitsForTheLeaseAndRemovesTheSideWhenTheSourceTookItBack() {
    MigrationId id = MigrationId.random();
    incoming.prepare(request(id, false, Duration.ofSeconds(30)));
    incomingStatus = "completed";
    vms.activation = new LeaseActivation.Unreachable("manager down");
    assertThatThrownBy(() -> incoming.handover(id.value(), 5))
        .isInstanceOf(AgentException.Unavailable.class)
        .hasMessageContaining("stays paused");
    assertThat(vms.events).noneMatch(e -> e.startsWith("took over"));
    assertThat(incoming.status(id.value()).state()).isEqualTo(IncomingStatus.State.RECEIVING);
    assertThatThrownBy(() -> incoming.abort(id.value(), "late"))
        .as("a side being taken over is not removed")
        .isInstanceOf(AgentException.Conflict.class);

    vms.activation = new LeaseActivation.Refused("the manager refused the lease: reclaimed");
    assertThatThrownBy(() -> incoming.handover(id.value(), 5))
        .isInstanceOf(AgentException.Conflict.class)
        .hasMessageContaining("reclaimed");
    assertThat(incoming.status(id.value()).state()).isEqualTo(IncomingStatus.State.ABORTED);
    assertThat(vms.events).noneMatch(e -> e.startsWith("took over"));
  }
}
