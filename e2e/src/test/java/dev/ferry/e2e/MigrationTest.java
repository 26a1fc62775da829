package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.AgentClient;
import dev.ferry.api.AgentEvent;
import dev.ferry.api.ApiException;
import dev.ferry.api.VmState;
import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import dev.ferry.lab.testbed.OutageProbe;
import dev.ferry.lab.testbed.ProbeResult;
import dev.ferry.migration.MigrationPhase;
import dev.ferry.migration.MigrationRecord;
import dev.ferry.migration.MigrationSettings;
import dev.ferry.migration.MigrationState;
import dev.ferry.migration.TimeoutAction;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Live migration end to end: real agents in two namespace hosts, real QEMU guests (TCG), the
 * client-side outage probe, shared storage. Each test leaves both hosts empty.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class MigrationTest {
  private static final String VM = "mig1";
  private static TestWorld world;

  @BeforeAll
  static void up() {
    world = TestWorld.up("fe2e-mig", 43, 2);
  }

  @AfterAll
  static void down() {
    if (world != null) {
      world.close();
    }
  }

  @AfterEach
  void removeVms() {
    world.abortAllMigrations();
    for (String host : List.of("host-a", "host-b")) {
      try (AgentClient a = world.agent(host)) {
        for (var vm : a.listVms()) {
          a.delete(vm.spec().name(), true);
        }
      }
    }
  }

  private static void boot(String host, String extraCmdline, ByteSize memory) {
    try (AgentClient a = world.agent(host)) {
      a.createVm(world.guestRequest(VM, 0, memory, extraCmdline));
      world.awaitGuestReady(a, VM);
    }
  }

  private static MigrationSettings defaults() {
    return MigrationSettings.defaults();
  }

  private static MigrationSettings slow(long mibPerSecond) {
    return defaults().withBandwidth(Optional.of(DataRate.ofMebibytesPerSecond(mibPerSecond)));
  }

  private static void assertRunsOnlyOn(String host) {
    String other = host.equals("host-a") ? "host-b" : "host-a";
    await("VM runs only on " + host)
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(world.vm(host, VM).state()).isEqualTo(VmState.RUNNING);
              assertThat(world.vmNames(other)).doesNotContain(VM);
              assertThat(world.qemuPids(other)).as("QEMU processes left on " + other).isEmpty();
            });
    world.httpGet("http://" + world.guestIp(0) + "/cgi-bin/status");
  }

  @Test
  void roundTripTenTimesWithTheGuestAnsweringThroughout() {
    boot("host-a", "", ByteSize.ofMiB(256));
    List<MigrationRecord> records = new ArrayList<>();
    try (OutageProbe probe =
        OutageProbe.start(
            world.testbed,
            world.guest.tool("ferry-probe"),
            world.guestIp(0),
            Duration.ofMillis(1),
            Duration.ofSeconds(30))) {
      for (int i = 0; i < 10; i++) {
        records.add(world.migrate("host-a", VM, "host-b", defaults()));
        records.add(world.migrate("host-b", VM, "host-a", defaults()));
      }
      ProbeResult r = probe.stop();
      assertThat(r.tailGapMs()).as("guest answers at the end: %s", r).isLessThan(200);
      assertThat(r.maxGapMs()).as("longest silence over 20 migrations: %s", r).isLessThan(3000);
    }
    for (MigrationRecord r : records) {
      assertThat(r.state()).as("%s", r.transitions()).isInstanceOf(MigrationState.Completed.class);
      assertThat(r.downtimeMs()).isPresent();
      assertThat(r.phases().keySet())
          .contains(
              MigrationPhase.PREFLIGHT,
              MigrationPhase.PREPARE,
              MigrationPhase.PRECOPY,
              MigrationPhase.SWITCHOVER,
              MigrationPhase.HANDOVER,
              MigrationPhase.CLEANUP);
    }
    assertThat(world.vm("host-a", VM).epoch())
        .as("ownership epoch after 20 handovers")
        .isEqualTo(21);
    assertRunsOnlyOn("host-a");
  }

  @Test
  void anEstablishedTcpConnectionSurvivesTheMove() throws Exception {
    boot("host-a", "", ByteSize.ofMiB(256));
    Process nc =
        world.testbed.startIn(
            world.testbed.clientNamespace(), "busybox", "nc", world.guestIp(0), "7777");
    try {
      OutputStream out = nc.getOutputStream();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(nc.getInputStream(), StandardCharsets.UTF_8));
      out.write("before\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
      assertThat(in.readLine()).endsWith("before");
      MigrationRecord r = world.migrate("host-a", VM, "host-b", defaults());
      assertThat(r.state()).isInstanceOf(MigrationState.Completed.class);
      out.write("after\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
      assertThat(in.readLine()).as("echo on the same connection after the move").endsWith("after");
      assertThat(nc.isAlive()).isTrue();
    } finally {
      nc.destroyForcibly();
    }
  }

  @Test
  void progressIsStreamedAndNeverRunsBackwardsWithinAPhase() throws Exception {
    boot("host-a", "ferry.dirty=64:8", ByteSize.ofMiB(256));
    List<AgentEvent> events = new CopyOnWriteArrayList<>();
    try (AgentClient a = world.agent("host-a")) {
      Thread follower =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      a.followEvents(0, events::add);
                    } catch (RuntimeException e) {
                      // ends when the test interrupts it
                    }
                  });
      MigrationRecord r = world.migrate("host-a", VM, "host-b", slow(32));
      follower.interrupt();
      assertThat(r.state()).isInstanceOf(MigrationState.Completed.class);
      var progress =
          events.stream()
              .filter(e -> e.migration().equals(Optional.of(r.id().value())))
              .flatMap(e -> e.progress().stream())
              .toList();
      assertThat(progress).as("progress events").hasSizeGreaterThan(2);
      for (int i = 1; i < progress.size(); i++) {
        var prev = progress.get(i - 1);
        var cur = progress.get(i);
        assertThat(cur.phase().ordinal()).isGreaterThanOrEqualTo(prev.phase().ordinal());
        if (cur.phase() == prev.phase()) {
          assertThat(cur.percent())
              .as("percent at %s", cur.at())
              .isGreaterThanOrEqualTo(prev.percent());
          assertThat(cur.transferred()).isGreaterThanOrEqualTo(prev.transferred());
        }
      }
      assertThat(progress.stream().anyMatch(p -> p.dirtyRate().bytesPerSecond() > 0))
          .as("dirty rate reported")
          .isTrue();
      assertThat(r.prediction()).isPresent();
    }
  }

  @Test
  void preflightRefusesWithTheReasonAndTouchesNothing() {
    boot("host-a", "", ByteSize.ofMiB(256));
    assertThatThrownBy(() -> world.startMigration("host-a", VM, "host-a", defaults()))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("is this host");
    try (AgentClient a = world.agent("host-a")) {
      a.stop(VM, true, Duration.ZERO);
    }
    assertThatThrownBy(() -> world.startMigration("host-a", VM, "host-b", defaults()))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("only a running VM can be live-migrated");
    try (AgentClient a = world.agent("host-a")) {
      a.start(VM);
    }
    // A cold start: the guest boots again before the rest of the test talks to it.
    world.awaitGuestAnswers(0);
    // A bridge only host-a has.
    world.testbed.exec(
        world.host("host-a").namespace(), "ip", "link", "add", "br9", "type", "bridge");
    try (AgentClient a = world.agent("host-a")) {
      var req = world.guestRequest("mig2", 1, ByteSize.ofMiB(128), "");
      req =
          new dev.ferry.api.VmCreateRequest(
              req.name(),
              req.vcpus(),
              req.memory(),
              req.machine(),
              req.cpuModel(),
              req.kernel(),
              req.initrd(),
              req.cmdline(),
              req.disks(),
              List.of(new dev.ferry.api.VmCreateRequest.Nic("br9", Optional.empty())),
              req.start());
      a.createVm(req);
      assertThatThrownBy(() -> world.startMigration("host-a", "mig2", "host-b", defaults()))
          .isInstanceOf(ApiException.class)
          .hasMessageContaining("refused in preflight")
          .hasMessageContaining("bridge 'br9' does not exist");
      var history = a.migrations();
      assertThat(history.getLast().state()).isInstanceOf(MigrationState.Failed.class);
      assertThat(history.getLast().error().orElseThrow().phase())
          .isEqualTo(MigrationPhase.PREFLIGHT);
      a.delete("mig2", true);
    } finally {
      world.testbed.exec(world.host("host-a").namespace(), "ip", "link", "del", "br9");
    }
    // A disk host-b cannot see is no longer a refusal: it is copied (StorageMigrationTest).
    assertThat(world.vmNames("host-b")).isEmpty();
    var first = world.startMigration("host-a", VM, "host-b", slow(4));
    assertThatThrownBy(() -> world.startMigration("host-a", VM, "host-b", defaults()))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("already migrating");
    try (AgentClient a = world.agent("host-a")) {
      a.abortMigration(first.id().value());
    }
    assertRunsOnlyOn("host-a");
  }

  @Test
  void abortIsIdempotentInEveryPhaseBeforeHandoverAndRefusedAfter() {
    boot("host-a", "ferry.dirty=96:1", ByteSize.ofMiB(256));
    for (Duration after : List.of(Duration.ZERO, Duration.ofMillis(800), Duration.ofSeconds(4))) {
      var started = world.startMigration("host-a", VM, "host-b", slow(8));
      sleep(after);
      try (AgentClient a = world.agent("host-a")) {
        MigrationRecord r = a.abortMigration(started.id().value());
        assertThat(r.state())
            .as("after %s: %s", after, r.transitions())
            .isInstanceOf(MigrationState.Aborted.class);
        MigrationRecord again = a.abortMigration(started.id().value());
        assertThat(again.state()).isEqualTo(r.state());
      }
      assertRunsOnlyOn("host-a");
    }
    MigrationRecord done = world.migrate("host-a", VM, "host-b", defaults());
    assertThat(done.state()).as("retry after aborts").isInstanceOf(MigrationState.Completed.class);
    try (AgentClient a = world.agent("host-a")) {
      assertThatThrownBy(() -> a.abortMigration(done.id().value()))
          .isInstanceOf(ApiException.class)
          .hasMessageContaining("completed");
    }
    assertRunsOnlyOn("host-b");
  }

  @Test
  void destinationQemuKilledRollsBackAndARetrySucceeds() {
    boot("host-a", "ferry.dirty=96:1", ByteSize.ofMiB(256));
    var started = world.startMigration("host-a", VM, "host-b", slow(8));
    await().atMost(Duration.ofSeconds(30)).until(() -> !world.qemuPids("host-b").isEmpty());
    sleep(Duration.ofSeconds(2));
    world
        .qemuPids("host-b")
        .forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    MigrationRecord r = world.awaitMigration("host-a", started.id().value(), Duration.ofMinutes(1));
    assertThat(r.state()).isInstanceOf(MigrationState.Failed.class);
    assertThat(r.error().orElseThrow().phase())
        .isIn(MigrationPhase.PREPARE, MigrationPhase.PRECOPY);
    assertRunsOnlyOn("host-a");
    assertThat(world.migrate("host-a", VM, "host-b", defaults()).state())
        .isInstanceOf(MigrationState.Completed.class);
  }

  @Test
  void destinationAgentKilledRollsBackAndItsRestartLeavesNothing() {
    boot("host-a", "ferry.dirty=96:1", ByteSize.ofMiB(256));
    var started = world.startMigration("host-a", VM, "host-b", slow(8));
    sleep(Duration.ofSeconds(2));
    world.testbed.killAgent("host-b");
    MigrationRecord r = world.awaitMigration("host-a", started.id().value(), Duration.ofMinutes(1));
    assertThat(r.state()).isInstanceOf(MigrationState.Failed.class);
    assertThat(r.error().orElseThrow().cause()).contains("host-b");
    world.testbed.startAgent("host-b", world.launcher, Duration.ofSeconds(60));
    assertRunsOnlyOn("host-a");
    assertThat(world.migrate("host-a", VM, "host-b", defaults()).state())
        .isInstanceOf(MigrationState.Completed.class);
  }

  @Test
  void networkCutToTheDestinationRollsBackAndTheDestinationCleansItself() {
    boot("host-a", "ferry.dirty=96:1", ByteSize.ofMiB(256));
    var started = world.startMigration("host-a", VM, "host-b", slow(8));
    sleep(Duration.ofSeconds(2));
    world.testbed.cutHost("host-b");
    Instant cut = Instant.now();
    MigrationRecord r;
    try {
      r = world.awaitMigration("host-a", started.id().value(), Duration.ofMinutes(1));
      assertThat(r.state()).isInstanceOf(MigrationState.Failed.class);
      assertThat(Duration.between(cut, Instant.now())).isLessThan(Duration.ofSeconds(30));
      // Cut off, the destination removes its side on its own (watchdog on keepalives).
      await().atMost(Duration.ofSeconds(30)).until(() -> world.qemuPids("host-b").isEmpty());
    } finally {
      world.testbed.restoreHost("host-b");
    }
    assertRunsOnlyOn("host-a");
    assertThat(world.migrate("host-a", VM, "host-b", defaults()).state())
        .isInstanceOf(MigrationState.Completed.class);
  }

  @Test
  void sourceAgentRestartedMidMigrationRollsBackToTheSource() {
    boot("host-a", "ferry.dirty=96:1", ByteSize.ofMiB(256));
    var started = world.startMigration("host-a", VM, "host-b", slow(8));
    sleep(Duration.ofSeconds(2));
    world.testbed.killAgent("host-a");
    world.testbed.startAgent("host-a", world.launcher, Duration.ofSeconds(60));
    MigrationRecord r = world.awaitMigration("host-a", started.id().value(), Duration.ofMinutes(1));
    assertThat(r.state()).isInstanceOf(MigrationState.Failed.class);
    assertThat(r.error().orElseThrow().cause()).contains("source agent restarted");
    assertRunsOnlyOn("host-a");
    assertThat(world.migrate("host-a", VM, "host-b", defaults()).state())
        .isInstanceOf(MigrationState.Completed.class);
  }

  @Test
  void aGuestDirtyingFasterThanTheCapEndsPerPolicyWithinItsBudget() {
    boot("host-a", "ferry.dirty=128:64", ByteSize.ofMiB(256));
    MigrationSettings abort =
        new MigrationSettings(
            Optional.of(DataRate.ofMebibytesPerSecond(8)),
            Duration.ofMillis(30),
            Duration.ofMillis(200),
            1,
            false,
            false,
            Optional.of(Duration.ofSeconds(15)),
            TimeoutAction.ABORT,
            false,
            false);
    Instant t0 = Instant.now();
    MigrationRecord aborted = world.migrate("host-a", VM, "host-b", abort);
    assertThat(aborted.state())
        .as("%s", aborted.transitions())
        .isInstanceOf(MigrationState.Aborted.class);
    assertThat(aborted.error().orElseThrow().cause()).contains("time budget");
    assertThat(Duration.between(t0, Instant.now())).isLessThan(Duration.ofSeconds(40));
    assertRunsOnlyOn("host-a");

    MigrationSettings force =
        new MigrationSettings(
            Optional.of(DataRate.ofMebibytesPerSecond(64)),
            Duration.ofMillis(30),
            Duration.ofMillis(200),
            1,
            false,
            false,
            Optional.of(Duration.ofSeconds(10)),
            TimeoutAction.FORCE,
            false,
            false);
    MigrationRecord forced = world.migrate("host-a", VM, "host-b", force);
    assertThat(forced.state())
        .as("%s", forced.transitions())
        .isInstanceOf(MigrationState.Completed.class);
    assertThat(forced.transitions()).anyMatch(t -> t.why().contains("forcing"));
    assertRunsOnlyOn("host-b");
  }

  @Test
  void inPostcopyTheGuestRunsAndAnswersOnTheDestinationWhileItsMemoryStreams() {
    // 128 MiB rewritten at 64 MiB/s over a link capped at 32 MiB/s: pre-copy cannot converge.
    boot("host-a", "ferry.dirty=128:64", ByteSize.ofMiB(256));
    MigrationSettings postcopy =
        new MigrationSettings(
            Optional.of(DataRate.ofMebibytesPerSecond(32)),
            Duration.ofMillis(30),
            Duration.ofMillis(200),
            1,
            false,
            true,
            Optional.of(Duration.ofSeconds(6)),
            TimeoutAction.FORCE,
            false,
            false);
    ProbeResult probed;
    MigrationRecord r;
    try (OutageProbe probe =
        OutageProbe.start(
            world.testbed,
            world.guest.tool("ferry-probe"),
            world.guestIp(0),
            Duration.ofMillis(1),
            Duration.ofSeconds(60))) {
      r = world.migrate("host-a", VM, "host-b", postcopy);
      probed = probe.stop();
    }
    assertThat(r.state()).as("%s", r.transitions()).isInstanceOf(MigrationState.Completed.class);
    assertThat(r.transitions())
        .as("switched to post-copy")
        .anyMatch(t -> t.why().contains("post-copy: the destination takes over"));
    assertThat(r.transitions().stream().map(MigrationRecord.Transition::why))
        .as("the source waited for the rest of the memory")
        .anyMatch(n -> n.contains("post-copy: stream completed"));
    // The guest answered from the destination while its memory still streamed: the longest
    // silence is the switch itself, not the time the rest of the memory takes.
    org.slf4j.LoggerFactory.getLogger(MigrationTest.class)
        .info(
            "Post-copy: longest silence {} ms, downtime {} ms; {}",
            probed.maxGapMs(),
            r.downtimeMs().orElse(-1L),
            probed);
    assertThat(probed.maxGapMs())
        .as(
            "longest silence: %s; %s",
            probed.gaps().stream().filter(g -> g.ms() > 100).toList(), r.transitions())
        .isLessThan(1500);
    assertThat(probed.tailGapMs()).as("guest answers at the end: %s", probed).isLessThan(200);
    assertRunsOnlyOn("host-b");
  }

  @Test
  void aLinkCutInPostcopyPausesTheStreamAndItRecoversByItselfWhenTheLinkComesBack()
      throws Exception {
    boot("host-a", "ferry.dirty=128:0", ByteSize.ofMiB(256));
    // A slow link, so that post-copy still streams when the link is cut.
    MigrationSettings postcopy =
        new MigrationSettings(
            Optional.of(DataRate.ofMebibytesPerSecond(12)),
            Duration.ofMillis(30),
            Duration.ofMillis(200),
            1,
            false,
            true,
            Optional.of(Duration.ofSeconds(5)),
            TimeoutAction.FORCE,
            false,
            false);
    java.util.concurrent.CountDownLatch inCleanup = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch open = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicReference<String> id =
        new java.util.concurrent.atomic.AtomicReference<>("");
    MigrationRecord r;
    try (AgentClient a = world.agent("host-a")) {
      Thread follower =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      a.followEvents(
                          0,
                          open::countDown,
                          e -> {
                            if (e.migration().equals(Optional.of(id.get()))
                                && e.message().startsWith("cleanup")) {
                              inCleanup.countDown();
                            }
                          });
                    } catch (RuntimeException e) {
                      // ends when the test interrupts it
                    }
                  });
      try {
        assertThat(open.await(10, TimeUnit.SECONDS)).isTrue();
        var started = world.startMigration("host-a", VM, "host-b", postcopy);
        id.set(started.id().value());
        assertThat(inCleanup.await(60, TimeUnit.SECONDS)).as("reached post-copy").isTrue();
        sleep(Duration.ofSeconds(1));
        world.testbed.cutHost("host-b");
        try {
          // Longer than the stall timeout: the source pauses the silent stream.
          sleep(Duration.ofSeconds(14));
        } finally {
          world.testbed.restoreHost("host-b");
        }
        r = world.awaitMigration("host-a", started.id().value(), Duration.ofMinutes(2));
      } finally {
        follower.interrupt();
      }
    }
    List<String> why = r.transitions().stream().map(MigrationRecord.Transition::why).toList();
    assertThat(r.state()).as("%s", why).isInstanceOf(MigrationState.Completed.class);
    assertThat(why)
        .as("the stream was paused and recovered")
        .anyMatch(w -> w.contains("stream paused to recover it"))
        .anyMatch(w -> w.contains("resuming the stream to"))
        .anyMatch(w -> w.matches("post-copy: stream completed after \\d+ recovery attempt.*"));
    assertRunsOnlyOn("host-b");
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
