package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.AgentClient;
import dev.ferry.api.ApiException;
import dev.ferry.api.ClusterHost;
import dev.ferry.api.ClusterMigration;
import dev.ferry.api.ClusterMigrationRequest;
import dev.ferry.api.ClusterVm;
import dev.ferry.api.ClusterVmCreate;
import dev.ferry.api.MaintenanceStatus;
import dev.ferry.api.ManagerBinding;
import dev.ferry.api.ManagerClient;
import dev.ferry.api.QueueLimits;
import dev.ferry.api.VmCreateRequest;
import dev.ferry.api.VmState;
import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import dev.ferry.lab.testbed.OutageProbe;
import dev.ferry.lab.testbed.ProbeResult;
import dev.ferry.migration.MigrationSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The manager end to end: a real manager daemon (SQLite) in the client namespace, three real agents
 * in namespace hosts bound to it, real QEMU guests. Each test leaves every host empty.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class ManagerTest {
  private static TestWorld world;
  private static ManagerProcess manager;

  @BeforeAll
  static void up() {
    world = TestWorld.up("fe2e-mgr", 47, 3);
    java.nio.file.Path dir =
        world.testbed.stateRoot().resolve(world.testbed.name()).resolve("manager");
    manager = ManagerProcess.start(world.testbed, dir, "sqlite:" + dir.resolve("inventory.db"));
    try (ManagerClient m = manager.client()) {
      for (String h : List.of("host-a", "host-b", "host-c")) {
        ClusterHost added = m.addHost(world.host(h).plan().agentUrl().toString());
        assertThat(added.name()).isEqualTo(h);
      }
    }
  }

  @AfterAll
  static void down() {
    try {
      if (manager != null) {
        manager.close();
      }
    } finally {
      if (world != null) {
        world.close();
      }
    }
  }

  @AfterEach
  void emptyTheCluster() {
    try (ManagerClient m = manager.client()) {
      for (ClusterMigration cm : m.migrations()) {
        if (!cm.status().done()) {
          m.abortMigration(cm.id());
        }
      }
      m.setLimits(QueueLimits.DEFAULT);
      m.setBalanceSettings(new dev.ferry.api.BalanceSettingsView("manual", 3));
      for (ClusterHost h : m.hosts()) {
        if (h.maintenance() != ClusterHost.Maintenance.NONE) {
          m.exitMaintenance(h.name());
        }
      }
    }
    world.abortAllMigrations();
    for (String h : List.of("host-a", "host-b", "host-c")) {
      try (AgentClient a = world.agent(h)) {
        for (String vm : world.vmNames(h)) {
          a.delete(vm, true);
        }
      }
    }
    try (ManagerClient m = manager.client()) {
      await("inventory empty").atMost(Duration.ofSeconds(30)).until(() -> m.vms().isEmpty());
    }
  }

  private static VmCreateRequest guest(String name, int ip, ByteSize memory, String extra) {
    return world.guestRequest(name, ip, memory, extra);
  }

  private static ClusterVm createOn(String host, String name, int ip) {
    try (ManagerClient m = manager.client()) {
      ClusterVm vm =
          m.createVm(
              new ClusterVmCreate(
                  guest(name, ip, ByteSize.ofMiB(128), ""), Optional.of(host), Set.of()));
      assertThat(vm.host()).isEqualTo(host);
      return vm;
    }
  }

  private static void awaitReady(String host, String vm) {
    try (AgentClient a = world.agent(host)) {
      world.awaitGuestReady(a, vm);
    }
  }

  @Test
  void anAgentRefusesToRunAVmWhoseLeaseAnotherHostHolds() {
    createOn("host-a", "lease1", 1);
    awaitReady("host-a", "lease1");
    try (AgentClient a = world.agent("host-a");
        AgentClient b = world.agent("host-b");
        ManagerClient m = manager.client()) {
      assertThat(m.lease("lease1").host()).isEqualTo("host-a");
      a.stop("lease1", true, Duration.ZERO);
      // The same definition on host-b, behind the manager's back: host-b may define it, not run it.
      VmCreateRequest req = guest("lease1", 1, ByteSize.ofMiB(128), "");
      b.createVm(
          new VmCreateRequest(
              req.name(),
              req.vcpus(),
              req.memory(),
              req.machine(),
              req.cpuModel(),
              req.kernel(),
              req.initrd(),
              req.cmdline(),
              req.disks(),
              req.nics(),
              Optional.of(false)));
      assertThatThrownBy(() -> b.start("lease1"))
          .isInstanceOf(ApiException.class)
          .hasMessageContaining("the manager leases it to host-a");
      assertThat(b.vm("lease1").state()).isEqualTo(VmState.STOPPED);
      b.delete("lease1", true);
      // The lease holder may.
      assertThat(a.start("lease1").state()).isEqualTo(VmState.RUNNING);
    }
  }

  @Test
  void aCopyRunningWithoutTheLeaseIsPausedAtOnceAndKilledOnlyOnceTheOwnerRunsIt() {
    createOn("host-a", "fence1", 65);
    awaitReady("host-a", "fence1");
    try (AgentClient a = world.agent("host-a");
        AgentClient b = world.agent("host-b");
        ManagerClient m = manager.client()) {
      a.stop("fence1", true, Duration.ZERO);
      await("the manager sees the owner's copy stopped")
          .atMost(Duration.ofSeconds(30))
          .until(() -> m.vm("fence1").state() == VmState.STOPPED);
      // host-b, unbound for a moment (a partition, an operator's mistake), starts its own copy.
      ManagerBinding bound = b.manager();
      b.bindManager(new ManagerBinding(Optional.empty(), "host-b"));
      try {
        VmCreateRequest req = guest("fence1", 65, ByteSize.ofMiB(128), "");
        b.createVm(
            new VmCreateRequest(
                req.name(),
                req.vcpus(),
                req.memory(),
                req.machine(),
                req.cpuModel(),
                req.kernel(),
                req.initrd(),
                req.cmdline(),
                req.disks(),
                req.nics(),
                Optional.of(false)));
        assertThat(b.start("fence1").state()).isEqualTo(VmState.RUNNING);
      } finally {
        b.bindManager(bound);
      }
      await("host-b pauses the copy it runs without the lease")
          .atMost(Duration.ofSeconds(20))
          .until(() -> b.vm("fence1").state() == VmState.PAUSED);
      // The owner does not run it: the copy is kept (paused), never killed blind.
      await()
          .pollDelay(LeaseFenceRound.PLUS_ONE)
          .atMost(LeaseFenceRound.PLUS_ONE.plusSeconds(5))
          .until(() -> true);
      assertThat(b.vm("fence1").state()).isEqualTo(VmState.PAUSED);
      assertThatThrownBy(() -> b.resume("fence1"))
          .isInstanceOf(ApiException.class)
          .hasMessageContaining("the manager leases it to host-a");

      assertThat(a.start("fence1").state()).isEqualTo(VmState.RUNNING);
      await("host-b kills its copy once host-a runs the VM")
          .atMost(Duration.ofSeconds(30))
          .until(() -> !b.vm("fence1").state().hasProcess());
      assertThat(a.vm("fence1").state()).isEqualTo(VmState.RUNNING);
      b.delete("fence1", true);
    }
  }

  /** The agents' lease fence runs every 5 s; one round and a second of slack. */
  private static final class LeaseFenceRound {
    static final Duration PLUS_ONE = Duration.ofSeconds(6);
  }

  @Test
  void theCliDrivesTheClusterThroughTheManager() {
    createOn("host-a", "cli1", 50);
    awaitReady("host-a", "cli1");
    String mgr = "unix:" + manager.socket();
    Cli.Result hosts = Cli.run("host", "list", "--manager", mgr);
    assertThat(hosts.exit()).as(hosts.err()).isZero();
    assertThat(hosts.out()).contains("host-a", "host-b", "host-c", "up");
    Cli.Result moved =
        Cli.run("cluster", "migrate", "cli1", "--to", "host-b", "--wait", "--manager", mgr);
    assertThat(moved.exit()).as(moved.out() + moved.err()).isZero();
    assertThat(moved.out()).contains("cli1: host-a → host-b queued as cm-", "completed");
    Cli.Result vms = Cli.run("cluster", "vms", "--manager", mgr);
    assertThat(vms.out()).containsPattern("cli1\\s+host-b\\s+running");
    Cli.Result list = Cli.run("migration", "list", "--manager", mgr);
    assertThat(list.exit()).as(list.err()).isZero();
    assertThat(list.out()).contains("cli1", "completed");
    String id;
    try (ManagerClient m = manager.client()) {
      id =
          m.migrations().stream().filter(x -> x.vm().equals("cli1")).findFirst().orElseThrow().id();
    }
    Cli.Result show = Cli.run("migration", "show", id, "--manager", mgr, "--json");
    assertThat(show.exit()).as(show.err()).isZero();
    assertThat(show.out()).contains("\"status\" : \"completed\"");
    Cli.Result balance = Cli.run("balance", "recommend", "--manager", mgr);
    assertThat(balance.exit()).as(balance.err()).isZero();
    assertThat(balance.out()).contains("mode manual");
    Cli.Result ghost = Cli.run("cluster", "migrate", "ghost", "--to", "host-b", "--manager", mgr);
    assertThat(ghost.exit()).as("not found").isEqualTo(3);
    assertThat(ghost.err()).contains("no VM named 'ghost'");
  }

  @Test
  void theBalancerMovesABusyVmOffALoadedHostWithItsReasonAndNotBack() {
    // Two guests that keep a vCPU busy (a memory dirtier) on host-a, nothing elsewhere: host-a's
    // measured CPU load stands out, so one of them should move.
    try (ManagerClient m = manager.client()) {
      for (int i = 0; i < 2; i++) {
        String name = "busy" + i;
        m.createVm(
            new ClusterVmCreate(
                guest(name, 60 + i, ByteSize.ofMiB(128), "ferry.dirty=32:0"),
                Optional.of("host-a"),
                Set.of()));
      }
      awaitReady("host-a", "busy0");
      awaitReady("host-a", "busy1");
      // Aggressiveness 5: on this machine the guests' CPU share is small and varies with the
      // load of the whole test run, so only the most eager threshold is certain to act on it.
      m.setBalanceSettings(new dev.ferry.api.BalanceSettingsView("manual", 5));
      dev.ferry.api.BalanceView view =
          await("a recommendation")
              .atMost(Duration.ofSeconds(60))
              .pollInterval(Duration.ofSeconds(1))
              .until(m::balance, v -> !v.recommendations().isEmpty());
      dev.ferry.api.BalanceView.Move move = view.recommendations().get(0);
      assertThat(move.from()).isEqualTo("host-a");
      assertThat(move.to()).isIn("host-b", "host-c");
      assertThat(move.reason()).as("the reason names the host").contains("host-a");
      assertThat(view.imbalanceAfter()).isLessThan(view.imbalance());
      List<ClusterMigration> queued = m.applyBalance(List.of(move.vm()));
      assertThat(queued).hasSize(1);
      await("balancing move done")
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> m.migration(queued.get(0).id()).status().done());
      assertThat(m.migration(queued.get(0).id()).status())
          .isEqualTo(ClusterMigration.Status.COMPLETED);
      assertThat(m.vm(move.vm()).host()).isEqualTo(move.to());
      // The moved VM is in its no-repeat window: nothing proposes sending it back.
      await("heartbeats measure the moved VM's CPU on " + move.to())
          .atMost(Duration.ofSeconds(20))
          .until(() -> m.host(move.to()).load().map(l -> l.cpuUsed() > 0.02).orElse(false));
      assertThat(m.balance().recommendations()).noneMatch(r -> r.vm().equals(move.vm()));
    }
  }

  @Test
  void inAutomaticModeTheManagerBalancesByItself() {
    try (ManagerClient m = manager.client()) {
      for (int i = 0; i < 2; i++) {
        m.createVm(
            new ClusterVmCreate(
                guest("auto" + i, 70 + i, ByteSize.ofMiB(128), "ferry.dirty=32:0"),
                Optional.of("host-b"),
                Set.of()));
      }
      awaitReady("host-b", "auto0");
      awaitReady("host-b", "auto1");
      m.setBalanceSettings(new dev.ferry.api.BalanceSettingsView("automatic", 5));
      ClusterMigration auto;
      try {
        auto =
            await("an automatic balancing move completed")
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofSeconds(1))
                .until(
                    () ->
                        m.migrations().stream()
                            .filter(x -> x.origin().equals("balancer (automatic)"))
                            .filter(x -> x.status() == ClusterMigration.Status.COMPLETED)
                            .findFirst(),
                    Optional::isPresent)
                .orElseThrow();
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        List<String> states = new ArrayList<>();
        for (String h : List.of("host-a", "host-b", "host-c")) {
          try (AgentClient a = world.agent(h)) {
            a.listVms()
                .forEach(
                    v ->
                        states.add(
                            h
                                + ":"
                                + v.spec().name()
                                + "="
                                + v.state()
                                + v.lastError().map(x -> " (" + x + ")").orElse("")));
          }
        }
        throw new AssertionError(
            "no automatic move; VMs: "
                + states
                + "; migrations: "
                + m.migrations()
                + "; balancer: "
                + m.balance()
                + "; hosts: "
                + m.hosts(),
            e);
      }
      assertThat(auto.source()).isEqualTo("host-b");
      m.setBalanceSettings(new dev.ferry.api.BalanceSettingsView("manual", 3));
      assertThat(m.migrations())
          .filteredOn(x -> x.origin().equals("balancer (automatic)"))
          .as("one move was enough")
          .hasSize(1);
    }
  }

  @Test
  void badRequestsGetAReasonAndChangeNothing() {
    try (ManagerClient m = manager.client()) {
      assertThatThrownBy(() -> m.addHost("ftp://nowhere"))
          .isInstanceOf(ApiException.class)
          .hasMessageContaining("neither http://HOST:PORT nor unix:/PATH");
      assertThatThrownBy(
              () ->
                  m.migrate(
                      new ClusterMigrationRequest(
                          "ghost", Optional.of("host-b"), Optional.empty())))
          .isInstanceOf(ApiException.class)
          .hasMessageContaining("no VM named 'ghost'");
      assertThatThrownBy(() -> m.setLimits(new QueueLimits(0, 1, 1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("outgoingPerHost must be 1..64");
      createOn("host-a", "bad1", 2);
      assertThatThrownBy(
              () ->
                  m.createVm(
                      new ClusterVmCreate(
                          guest("bad1", 3, ByteSize.ofMiB(128), ""), Optional.empty(), Set.of())))
          .isInstanceOf(ApiException.class)
          .hasMessageContaining("a VM named 'bad1' exists");
      assertThatThrownBy(
              () ->
                  m.createVm(
                      new ClusterVmCreate(
                          guest("huge", 3, ByteSize.ofGiB(4096), ""), Optional.empty(), Set.of())))
          .isInstanceOf(ApiException.class)
          .hasMessageContaining("huge");
      assertThatThrownBy(
              () ->
                  m.migrate(
                      new ClusterMigrationRequest("bad1", Optional.of("host-a"), Optional.empty())))
          .isInstanceOf(ApiException.class)
          .hasMessageContaining("already runs on host-a");
      assertThat(m.vms()).extracting(ClusterVm::name).containsExactly("bad1");
      assertThat(m.migrations()).noneMatch(x -> x.vm().equals("bad1"));
    }
  }

  @Test
  void maintenanceEvacuatesThreeRunningVmsWhileTheyAnswer() {
    List<String> names = List.of("evac1", "evac2", "evac3");
    for (int i = 0; i < names.size(); i++) {
      createOn("host-a", names.get(i), 10 + i);
    }
    names.forEach(n -> awaitReady("host-a", n));
    List<OutageProbe> probes = new ArrayList<>();
    try {
      for (int i = 0; i < names.size(); i++) {
        probes.add(
            OutageProbe.start(
                world.testbed,
                world.guest.tool("ferry-probe"),
                world.guestIp(10 + i),
                Duration.ofMillis(1),
                Duration.ofSeconds(30)));
      }
      try (ManagerClient m = manager.client()) {
        MaintenanceStatus planned = m.enterMaintenance("host-a");
        assertThat(planned.vms()).extracting(MaintenanceStatus.Item::vm).containsAll(names);
        assertThat(m.host("host-a").schedulable()).isFalse();
        await("host-a in maintenance")
            .atMost(Duration.ofMinutes(4))
            .pollInterval(Duration.ofMillis(500))
            .untilAsserted(
                () -> {
                  MaintenanceStatus st = m.maintenance("host-a");
                  assertThat(st.state())
                      .as("%s", st.vms())
                      .isEqualTo(ClusterHost.Maintenance.IN_MAINTENANCE);
                });
        List<ClusterVm> vms = m.vms();
        assertThat(vms).extracting(ClusterVm::host).doesNotContain("host-a");
        assertThat(vms).extracting(ClusterVm::host).contains("host-b", "host-c");
        assertThat(world.vmNames("host-a")).isEmpty();
        for (ClusterVm v : vms) {
          assertThat(world.vm(v.host(), v.name()).state()).isEqualTo(VmState.RUNNING);
        }
        // Nothing new lands on a host in maintenance.
        ClusterVm fresh =
            m.createVm(
                new ClusterVmCreate(
                    guest("evac4", 13, ByteSize.ofMiB(128), ""), Optional.empty(), Set.of()));
        assertThat(fresh.host()).isNotEqualTo("host-a");
        assertThatThrownBy(
                () ->
                    m.createVm(
                        new ClusterVmCreate(
                            guest("evac5", 14, ByteSize.ofMiB(128), ""),
                            Optional.of("host-a"),
                            Set.of())))
            .isInstanceOf(ApiException.class)
            .hasMessageContaining("maintenance");
        assertThat(m.exitMaintenance("host-a").schedulable()).isTrue();
      }
      for (int i = 0; i < probes.size(); i++) {
        ProbeResult r = probes.get(i).stop();
        assertThat(r.tailGapMs()).as("%s answers at the end: %s", names.get(i), r).isLessThan(500);
        assertThat(r.maxGapMs()).as("%s longest silence: %s", names.get(i), r).isLessThan(3000);
      }
    } finally {
      probes.forEach(OutageProbe::close);
    }
  }

  @Test
  void theQueueHonoursItsLimitsUnderTenSimultaneousRequests() throws Exception {
    QueueLimits limits = new QueueLimits(1, 1, 2);
    Map<String, String> route = new HashMap<>();
    Map<String, String> origin = new HashMap<>();
    for (int i = 0; i < 10; i++) {
      String name = "q" + i;
      String from = i % 2 == 0 ? "host-a" : "host-b";
      createOn(from, name, 20 + i);
      origin.put(name, from);
      route.put(name, from.equals("host-a") ? "host-b" : "host-c");
    }
    origin.forEach((vm, host) -> awaitReady(host, vm));
    ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    AtomicBoolean sampling = new AtomicBoolean(true);
    int[] maxConcurrent = new int[1];
    try (ManagerClient m = manager.client();
        var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      m.setLimits(limits);
      Future<?> sampler =
          pool.submit(
              () -> {
                while (sampling.get()) {
                  List<ClusterMigration> all = m.migrations();
                  List<ClusterMigration> running =
                      all.stream()
                          .filter(x -> x.status() == ClusterMigration.Status.RUNNING)
                          .toList();
                  maxConcurrent[0] = Math.max(maxConcurrent[0], running.size());
                  check(running, limits, violations);
                  all.stream()
                      .filter(x -> x.status() == ClusterMigration.Status.QUEUED)
                      .filter(x -> !x.reason().orElse("").startsWith("waiting"))
                      .forEach(x -> violations.add("queued without a reason: " + x));
                  Thread.sleep(100);
                }
                return null;
              });
      List<Future<ClusterMigration>> requests = new ArrayList<>();
      for (var e : route.entrySet()) {
        requests.add(
            pool.submit(
                () ->
                    m.migrate(
                        new ClusterMigrationRequest(
                            e.getKey(), Optional.of(e.getValue()), Optional.empty()))));
      }
      List<String> ids = new ArrayList<>();
      try {
        for (Future<ClusterMigration> f : requests) {
          ids.add(f.get().id());
        }
        await("ten migrations done")
            .atMost(Duration.ofMinutes(5))
            .pollInterval(Duration.ofSeconds(1))
            .until(() -> ids.stream().allMatch(id -> m.migration(id).status().done()));
      } finally {
        sampling.set(false);
      }
      sampler.get();
      for (String id : ids) {
        ClusterMigration cm = m.migration(id);
        assertThat(cm.status())
            .as("%s: %s", cm.vm(), cm.reason())
            .isEqualTo(ClusterMigration.Status.COMPLETED);
        assertThat(m.vm(cm.vm()).host()).isEqualTo(route.get(cm.vm()));
      }
      String metrics = m.metrics();
      assertThat(metrics)
          .contains("ferry_migrations_total{outcome=\"completed\"}")
          .contains("ferry_migration_duration_seconds_count")
          .contains("ferry_migration_queue_length")
          .contains("ferry_host_memory_committed_ratio{host=\"host-c\"}");
    }
    assertThat(violations).as("limit violations").isEmpty();
    assertThat(maxConcurrent[0]).as("migrations ran in parallel").isEqualTo(2);
  }

  private static void check(
      List<ClusterMigration> running, QueueLimits limits, ConcurrentLinkedQueue<String> out) {
    if (running.size() > limits.cluster()) {
      out.add(running.size() + " running in the cluster: " + running);
    }
    Map<String, Integer> bySource = new HashMap<>();
    Map<String, Integer> byDest = new HashMap<>();
    running.forEach(
        r -> {
          bySource.merge(r.source(), 1, Integer::sum);
          byDest.merge(r.destination(), 1, Integer::sum);
        });
    bySource.forEach(
        (h, n) -> {
          if (n > limits.outgoingPerHost()) {
            out.add(n + " leaving " + h);
          }
        });
    byDest.forEach(
        (h, n) -> {
          if (n > limits.incomingPerHost()) {
            out.add(n + " arriving at " + h);
          }
        });
  }

  @Test
  void aHostThatStopsAnsweringIsMarkedUnreachableWithTheTimeAndNothingMoves() {
    createOn("host-c", "quiet1", 40);
    awaitReady("host-c", "quiet1");
    java.time.Instant killed = java.time.Instant.now();
    world.testbed.killAgent("host-c");
    try (ManagerClient m = manager.client()) {
      try {
        await("host-c unreachable")
            .atMost(Duration.ofSeconds(20))
            .until(() -> m.host("host-c").status() == ClusterHost.Status.UNREACHABLE);
        ClusterHost h = m.host("host-c");
        assertThat(h.statusSince()).isAfterOrEqualTo(killed.minusSeconds(1));
        assertThat(h.schedulable()).isFalse();
        assertThat(m.vm("quiet1").host()).as("nothing restarted elsewhere").isEqualTo("host-c");
        assertThat(world.qemuPids("host-c")).as("the VM's QEMU lives on").hasSize(1);
      } finally {
        world.testbed.startAgent("host-c", world.launcher, Duration.ofSeconds(60));
      }
      assertThat(world.vm("host-c", "quiet1").state()).isEqualTo(VmState.RUNNING);
      await("host-c up again")
          .atMost(Duration.ofSeconds(30))
          .until(() -> m.host("host-c").status() == ClusterHost.Status.UP);
    }
  }

  @Test
  void aManagerRestartMidMigrationRecoversItsTrueState() {
    createOn("host-a", "restart1", 30);
    awaitReady("host-a", "restart1");
    try (ManagerClient m = manager.client()) {
      long epoch = m.lease("restart1").epoch();
      MigrationSettings slow =
          MigrationSettings.defaults()
              .withBandwidth(Optional.of(DataRate.ofMebibytesPerSecond(12)));
      ClusterMigration cm =
          m.migrate(
              new ClusterMigrationRequest("restart1", Optional.of("host-b"), Optional.of(slow)));
      await("migration running on the agent")
          .atMost(Duration.ofSeconds(30))
          .until(() -> m.migration(cm.id()).agentMigration().isPresent());
      ClusterMigration capped = m.setBandwidth(cm.id(), DataRate.ofMebibytesPerSecond(16));
      assertThat(capped.record().orElseThrow().settings().bandwidth())
          .as("bandwidth changed live through the manager")
          .contains(DataRate.ofMebibytesPerSecond(16));
      manager.kill();
      manager.restart();
      try (ManagerClient again = manager.client()) {
        await("migration recorded as completed after the restart")
            .atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> again.migration(cm.id()).status().done());
        ClusterMigration done = again.migration(cm.id());
        assertThat(done.status())
            .as("%s\n%s", done.reason(), manager.log())
            .isEqualTo(ClusterMigration.Status.COMPLETED);
        assertThat(done.record().orElseThrow().durationMs()).isPresent();
        assertThat(again.lease("restart1").host()).isEqualTo("host-b");
        assertThat(again.lease("restart1").epoch()).isEqualTo(epoch + 1);
        assertThat(world.vm("host-b", "restart1").state()).isEqualTo(VmState.RUNNING);
        assertThat(world.vmNames("host-a")).doesNotContain("restart1");
      }
    }
  }
}
