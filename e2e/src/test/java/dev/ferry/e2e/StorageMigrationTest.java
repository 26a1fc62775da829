package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.api.AgentClient;
import dev.ferry.api.ApiException;
import dev.ferry.api.VmCreateRequest;
import dev.ferry.api.VmInfo;
import dev.ferry.api.VmState;
import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import dev.ferry.common.Json;
import dev.ferry.migration.MigrationPhase;
import dev.ferry.migration.MigrationRecord;
import dev.ferry.migration.MigrationSettings;
import dev.ferry.migration.MigrationState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Storage migration end to end: disks in a host's local storage (which the other host cannot see)
 * travel with the VM while the guest's disk writer keeps writing checksummed, numbered blocks; the
 * verifier in the guest proves every acknowledged write arrived.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class StorageMigrationTest {
  private static final String VM = "stor1";
  private static TestWorld world;

  @BeforeAll
  static void up() {
    world = TestWorld.up("fe2e-stor", 44, 2);
  }

  @AfterAll
  static void down() {
    if (world != null) {
      world.close();
    }
  }

  @AfterEach
  void removeVmsAndImages() throws IOException {
    world.abortAllMigrations();
    for (String host : List.of("host-a", "host-b")) {
      try (AgentClient a = world.agent(host)) {
        for (var vm : a.listVms()) {
          a.delete(vm.spec().name(), true);
        }
      }
      for (Path dir : List.of(local(host), world.host(host).plan().sharedDir())) {
        try (var files = Files.list(dir)) {
          for (Path f : files.toList()) {
            Files.deleteIfExists(f);
          }
        }
      }
    }
  }

  private static Path local(String host) {
    return world.host(host).plan().localDir();
  }

  private static Path image(Path dir, String name, String size, String prefill) {
    Path p = dir.resolve(name);
    run("qemu-img", "create", "-q", "-f", "qcow2", p.toString(), size);
    if (prefill != null) {
      run("qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 0 " + prefill, p.toString());
    }
    return p;
  }

  private static void boot(String host, List<Path> disks) {
    try (AgentClient a = world.agent(host)) {
      VmCreateRequest base = world.guestRequest(VM, 0, ByteSize.ofMiB(256), "");
      a.createVm(
          new VmCreateRequest(
              base.name(),
              base.vcpus(),
              base.memory(),
              base.machine(),
              base.cpuModel(),
              base.kernel(),
              base.initrd(),
              base.cmdline(),
              disks.stream()
                  .map(
                      d ->
                          new VmCreateRequest.Disk(
                              d.toString(), Optional.empty(), Optional.empty()))
                  .toList(),
              base.nics(),
              base.start()));
      world.awaitGuestReady(a, VM);
    }
  }

  private static String guest(String path) {
    return world.httpGet("http://" + world.guestIp(0) + path);
  }

  private static void startWriter(String dev, int blocks) {
    assertThat(guest("/cgi-bin/diskwrite?dev=" + dev + "&rate=2&blocks=" + blocks))
        .contains("\"ok\":true");
  }

  private static JsonNode verify(String dev) throws IOException {
    return Json.lenient().readTree(guest("/cgi-bin/diskverify?dev=" + dev));
  }

  private static MigrationSettings settings() {
    return MigrationSettings.defaults();
  }

  @Test
  void localDiskMovesThereAndBackUnderWritesWithEveryAcknowledgedWriteIntact() throws Exception {
    Path disk = image(local("host-a"), "data.qcow2", "512M", null);
    boot("host-a", List.of(disk));
    String from = "host-a";
    String to = "host-b";
    for (int hop = 1; hop <= 2; hop++) {
      startWriter("/dev/vda", 4096);
      Thread.sleep(2000);
      MigrationRecord r = world.migrate(from, VM, to, settings());
      assertThat(r.state())
          .as("hop %d: %s", hop, r.transitions())
          .isInstanceOf(MigrationState.Completed.class);
      assertThat(r.phases()).containsKey(MigrationPhase.DISK_MIRROR);
      JsonNode v = verify("/dev/vda");
      assertThat(v.path("ok").asBoolean()).as("verifier after hop %d: %s", hop, v).isTrue();
      assertThat(v.path("acked").asLong())
          .as("writes acknowledged during hop %d", hop)
          .isGreaterThan(100);
      Path moved = local(to).resolve("data.qcow2");
      assertThat(moved).exists();
      assertThat(local(from).resolve("data.qcow2")).as("source copy removed").doesNotExist();
      assertThat(world.vm(to, VM).spec().disks().get(0).path()).isEqualTo(moved);
      String tmp = from;
      from = to;
      to = tmp;
    }
  }

  @Test
  void aDiskMovesToOtherStorageOnTheSameHostUnderWritesAndThenMigrates() throws Exception {
    Path shared = world.host("host-a").plan().sharedDir();
    Path disk = image(shared, "move.qcow2", "256M", "32M");
    boot("host-a", List.of(disk));
    startWriter("/dev/vda", 2048);
    Thread.sleep(1500);
    try (AgentClient a = world.agent("host-a")) {
      var bad = new dev.ferry.api.DiskMoveRequest("/etc", Optional.empty());
      assertThatThrownBy(() -> a.moveDisk(VM, "disk0", bad))
          .hasMessageContaining("outside this agent's storage roots");
      var moved =
          a.moveDisk(
              VM,
              "disk0",
              new dev.ferry.api.DiskMoveRequest(local("host-a").toString(), Optional.empty()));
      assertThat(moved.spec().disks().get(0).path())
          .isEqualTo(local("host-a").resolve("move.qcow2"));
      assertThat(moved.state()).isEqualTo(dev.ferry.api.VmState.RUNNING);
    }
    assertThat(disk).as("old image removed").doesNotExist();
    JsonNode v = verify("/dev/vda");
    assertThat(v.path("ok").asBoolean()).as("verifier after the move: %s", v).isTrue();
    // The moved disk is local now: a migration copies it, starting from the node the move made.
    startWriter("/dev/vda", 2048);
    Thread.sleep(1000);
    MigrationRecord r = world.migrate("host-a", VM, "host-b", settings());
    assertThat(r.state()).as("%s", r.transitions()).isInstanceOf(MigrationState.Completed.class);
    assertThat(r.phases()).containsKey(MigrationPhase.DISK_MIRROR);
    JsonNode after = verify("/dev/vda");
    assertThat(after.path("ok").asBoolean()).as("verifier after migrating: %s", after).isTrue();
  }

  @Test
  void thinQcow2StaysThin() throws Exception {
    Path disk = image(local("host-a"), "thin.qcow2", "1G", "16M");
    boot("host-a", List.of(disk));
    MigrationRecord r = world.migrate("host-a", VM, "host-b", settings());
    assertThat(r.state()).isInstanceOf(MigrationState.Completed.class);
    JsonNode info =
        Json.lenient()
            .readTree(
                run(
                    "qemu-img",
                    "info",
                    "-U",
                    "--output=json",
                    local("host-b").resolve("thin.qcow2").toString()));
    long actual = info.path("actual-size").asLong();
    assertThat(info.path("virtual-size").asLong()).isEqualTo(1L << 30);
    assertThat(actual)
        .as("allocated bytes of the 1 GiB copy with 16 MiB of data")
        .isLessThan(64L << 20);
  }

  @Test
  void abortInTheDiskPhaseKeepsTheSourceIntactAndRemovesThePartialCopy() throws Exception {
    Path disk = image(local("host-a"), "big.qcow2", "512M", "96M");
    boot("host-a", List.of(disk));
    var started =
        world.startMigration(
            "host-a",
            VM,
            "host-b",
            settings().withBandwidth(Optional.of(DataRate.ofMebibytesPerSecond(4))));
    await().atMost(Duration.ofSeconds(30)).until(() -> mirroring(started.id().value()));
    MigrationRecord r;
    try (AgentClient a = world.agent("host-a")) {
      r = a.abortMigration(started.id().value());
    }
    assertThat(r.state()).isInstanceOf(MigrationState.Aborted.class);
    assertThat(r.error().orElseThrow().phase()).isEqualTo(MigrationPhase.DISK_MIRROR);
    assertSourceIntactAndDestinationEmpty(disk);
  }

  @Test
  void destinationKilledInTheDiskPhaseRollsBack() throws Exception {
    Path disk = image(local("host-a"), "big.qcow2", "512M", "96M");
    boot("host-a", List.of(disk));
    var started =
        world.startMigration(
            "host-a",
            VM,
            "host-b",
            settings().withBandwidth(Optional.of(DataRate.ofMebibytesPerSecond(4))));
    await().atMost(Duration.ofSeconds(30)).until(() -> mirroring(started.id().value()));
    world
        .qemuPids("host-b")
        .forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    MigrationRecord r = world.awaitMigration("host-a", started.id().value(), Duration.ofMinutes(1));
    assertThat(r.state()).isInstanceOf(MigrationState.Failed.class);
    assertThat(r.error().orElseThrow().phase()).isEqualTo(MigrationPhase.DISK_MIRROR);
    assertSourceIntactAndDestinationEmpty(disk);
  }

  @Test
  void aSecondQemuOnASharedImageIsRefusedByTheImageLock() {
    // The storage-level line of defence under the lease: even with no manager to ask (these
    // agents are standalone), a second host cannot run a guest on an image another QEMU writes.
    Path shared = image(world.host("host-a").plan().sharedDir(), "locked.qcow2", "64M", null);
    boot("host-a", List.of(shared));
    try (AgentClient b = world.agent("host-b")) {
      VmCreateRequest base = world.guestRequest(VM, 0, ByteSize.ofMiB(256), "");
      b.createVm(
          new VmCreateRequest(
              base.name(),
              base.vcpus(),
              base.memory(),
              base.machine(),
              base.cpuModel(),
              base.kernel(),
              base.initrd(),
              base.cmdline(),
              List.of(
                  new VmCreateRequest.Disk(shared.toString(), Optional.empty(), Optional.empty())),
              base.nics(),
              Optional.of(false)));
      assertThatThrownBy(() -> b.start(VM))
          .isInstanceOf(dev.ferry.api.ApiException.class)
          .hasMessageContaining("lock");
      assertThat(b.vm(VM).state().hasProcess()).isFalse();
    }
    assertThat(guest("/cgi-bin/status")).as("the first guest runs on").isNotEmpty();
  }

  @Test
  void mixedSharedAndLocalDisksCopyOnlyTheLocalOne() throws Exception {
    Path shared = image(world.host("host-a").plan().sharedDir(), "shared.qcow2", "256M", null);
    Path localDisk = image(local("host-a"), "local.qcow2", "256M", null);
    boot("host-a", List.of(shared, localDisk));
    startWriter("/dev/vdb", 2048);
    Thread.sleep(2000);
    MigrationRecord r = world.migrate("host-a", VM, "host-b", settings());
    assertThat(r.state()).as("%s", r.transitions()).isInstanceOf(MigrationState.Completed.class);
    VmInfo moved = world.vm("host-b", VM);
    assertThat(moved.spec().disks().get(0).path()).isEqualTo(shared);
    assertThat(moved.spec().disks().get(1).path())
        .isEqualTo(local("host-b").resolve("local.qcow2"));
    assertThat(shared).as("shared disk stays where it is").exists();
    JsonNode v = verify("/dev/vdb");
    assertThat(v.path("ok").asBoolean()).as("%s", v).isTrue();
  }

  @Test
  void preflightRefusesWhenTheDestinationLacksRoomNamingTheNumbers() throws Exception {
    Path disk = image(local("host-a"), "big.qcow2", "512M", "96M");
    boot("host-a", List.of(disk));
    Path target = local("host-b");
    // Inside the destination agent's own mount namespace (ip netns exec gives it one).
    String agentPid = Long.toString(world.host("host-b").agentPid().orElseThrow());
    run(
        "nsenter",
        "-t",
        agentPid,
        "-m",
        "mount",
        "-t",
        "tmpfs",
        "-o",
        "size=32m",
        "tmpfs",
        target.toString());
    try {
      assertThatThrownBy(() -> world.startMigration("host-a", VM, "host-b", settings()))
          .isInstanceOf(ApiException.class)
          .hasMessageContaining("not enough room on host-b")
          .hasMessageContaining("96")
          .hasMessageContaining("free");
    } finally {
      run("nsenter", "-t", agentPid, "-m", "umount", target.toString());
    }
    assertThat(world.vm("host-a", VM).state()).isEqualTo(VmState.RUNNING);
  }

  private static boolean mirroring(String id) {
    try (AgentClient a = world.agent("host-a")) {
      MigrationRecord r = a.migration(id);
      return r.state() instanceof MigrationState.Mirroring
          && r.progress().map(p -> p.transferred().bytes() > 0).orElse(false);
    }
  }

  private void assertSourceIntactAndDestinationEmpty(Path disk) throws Exception {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(world.vm("host-a", VM).state()).isEqualTo(VmState.RUNNING);
              assertThat(world.vmNames("host-b")).isEmpty();
              assertThat(world.qemuPids("host-b")).isEmpty();
              try (var files = Files.list(local("host-b"))) {
                assertThat(files.toList()).as("partial copies on host-b").isEmpty();
              }
            });
    assertThat(disk).exists();
    // The source's disk still works: a fresh run of the writer verifies.
    startWriter("/dev/vda", 1024);
    Thread.sleep(1500);
    JsonNode v = verify("/dev/vda");
    assertThat(v.path("ok").asBoolean()).as("%s", v).isTrue();
    assertThat(world.migrate("host-a", VM, "host-b", settings()).state())
        .as("a retry succeeds")
        .isInstanceOf(MigrationState.Completed.class);
  }

  private static String run(String... cmd) {
    try {
      Process p =
          new ProcessBuilder(new ArrayList<>(List.of(cmd))).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as("%s: %s", String.join(" ", cmd), out).isZero();
      return out;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
