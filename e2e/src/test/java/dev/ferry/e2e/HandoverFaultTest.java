package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.AgentClient;
import dev.ferry.api.AgentEvent;
import dev.ferry.api.ClusterHost;
import dev.ferry.api.ClusterVmCreate;
import dev.ferry.api.Lease;
import dev.ferry.api.ManagerBinding;
import dev.ferry.api.ManagerClient;
import dev.ferry.api.VmState;
import dev.ferry.common.ByteSize;
import dev.ferry.migration.MigrationRecord;
import dev.ferry.migration.MigrationSettings;
import dev.ferry.migration.MigrationState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handover under its worst fault: the destination agent killed ({@code kill -9}) the moment the
 * source enters handover (and a little later, to land in each window of the protocol), restarted a
 * second later, with both hosts' vCPUs sampled every 50 ms from {@code /proc}. Never two: no two
 * consecutive samples see the guest's vCPUs runnable on both hosts. Never none: each run ends with
 * the VM running on exactly one host, the lease naming that host, and the guest answering. Real
 * agents bound to a real manager, real QEMU (TCG), a guest whose vCPU is kept busy so that a
 * running copy is visible.
 */
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class HandoverFaultTest {
  private static final Logger log = LoggerFactory.getLogger(HandoverFaultTest.class);
  private static final String VM = "fault1";

  /** Bound to the manager: the lease decides. Spread over the few tens of ms the handover takes. */
  private static final List<Duration> KILL_DELAYS =
      List.of(Duration.ZERO, Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(60));

  /** Then standalone (both agents unbound): the destination's journal decides. */
  private static final List<Duration> STANDALONE_KILL_DELAYS =
      List.of(Duration.ZERO, Duration.ofMillis(15));

  private static TestWorld world;
  private static ManagerProcess manager;

  @BeforeAll
  static void up() {
    world = TestWorld.up("fe2e-fault", 45, 2);
    java.nio.file.Path dir =
        world.testbed.stateRoot().resolve(world.testbed.name()).resolve("manager");
    manager = ManagerProcess.start(world.testbed, dir, "sqlite:" + dir.resolve("inventory.db"));
    try (ManagerClient m = manager.client()) {
      for (String h : List.of("host-a", "host-b")) {
        ClusterHost added = m.addHost(world.host(h).plan().agentUrl().toString());
        assertThat(added.name()).isEqualTo(h);
      }
    }
  }

  @AfterAll
  static void down() {
    try {
      if (world != null) {
        world.abortAllMigrations();
        for (String h : List.of("host-a", "host-b")) {
          try (AgentClient a = world.agent(h)) {
            for (var vm : a.listVms()) {
              a.delete(vm.spec().name(), true);
            }
          } catch (RuntimeException e) {
            log.warn("cleanup of {}: {}", h, e.toString());
          }
        }
      }
      if (manager != null) {
        manager.close();
      }
    } finally {
      if (world != null) {
        world.close();
      }
    }
  }

  @Test
  void theDestinationAgentKilledAtHandoverNeverLeavesTwoCopiesOrNone() {
    try (ManagerClient m = manager.client()) {
      m.createVm(
          new ClusterVmCreate(
              world.guestRequest(VM, 0, ByteSize.ofMiB(256), "ferry.dirty=1:0"),
              Optional.of("host-a"),
              Set.of()));
    }
    try (AgentClient a = world.agent("host-a")) {
      world.awaitGuestReady(a, VM);
    }
    List<String> outcomes = new ArrayList<>();
    String on = "host-a";
    try (VcpuSampler sampler =
        VcpuSampler.start(List.of("host-a", "host-b"), world::qemuPids, Duration.ofMillis(50))) {
      await("the guest's vCPU is seen running")
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  !sampler.since(Instant.now().minusSeconds(1)).isEmpty()
                      && sampler.since(Instant.now().minusSeconds(1)).stream()
                          .anyMatch(s -> s.running().equals(List.of("host-a"))));
      List<Duration> delays = new ArrayList<>(KILL_DELAYS);
      delays.addAll(STANDALONE_KILL_DELAYS);
      for (int run = 0; run < delays.size(); run++) {
        Duration delay = delays.get(run);
        boolean standalone = run >= KILL_DELAYS.size();
        if (run == KILL_DELAYS.size()) {
          unbindBoth();
        }
        String to = on.equals("host-a") ? "host-b" : "host-a";
        Instant from = Instant.now();
        MigrationRecord r = migrateKillingTheDestinationAtHandover(on, to, delay);
        on = runsOnExactlyOne(standalone);
        Duration none = sampler.longestNone(from);
        String outcome =
            String.format(
                "%s: kill %s at handover + %d ms: %s%s, runs on %s, longest pause %d ms",
                standalone ? "standalone" : "with manager",
                to,
                delay.toMillis(),
                r.state().label(),
                r.error().map(e -> " (" + e.cause() + ")").orElse(""),
                on,
                none.toMillis());
        log.info(outcome);
        outcomes.add(outcome);
        assertThat(sampler.twoRunning(from)).as("two running copies: %s", outcome).isEmpty();
        assertThat(r.state())
            .as("%s; %s", outcome, r.transitions())
            .isInstanceOfAny(MigrationState.Completed.class, MigrationState.Failed.class);
        assertThat(none)
            .as("the guest paused on both hosts for too long: %s", outcome)
            .isLessThan(Duration.ofSeconds(20));
      }
    }
    log.info("Handover faults:\n  {}", String.join("\n  ", outcomes));
  }

  /** Migrates, killing the destination's agent {@code delay} after the source enters handover. */
  private static MigrationRecord migrateKillingTheDestinationAtHandover(
      String from, String to, Duration delay) {
    CountDownLatch handover = new CountDownLatch(1);
    CountDownLatch open = new CountDownLatch(1);
    AtomicReference<String> id = new AtomicReference<>("");
    AtomicBoolean killed = new AtomicBoolean();
    try (AgentClient source = world.agent(from)) {
      Thread follower =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      source.followEvents(
                          0,
                          open::countDown,
                          (AgentEvent e) -> {
                            if (e.type() == AgentEvent.Type.MIGRATION_STATE
                                && e.migration().equals(Optional.of(id.get()))
                                && e.message().startsWith("handover")) {
                              handover.countDown();
                            }
                          });
                    } catch (RuntimeException e) {
                      // ends when the test interrupts it
                    }
                  });
      try {
        MigrationRecord started;
        try {
          assertThat(open.await(10, TimeUnit.SECONDS)).as("event stream open").isTrue();
          started = world.startMigration(from, VM, to, MigrationSettings.defaults());
          id.set(started.id().value());
          if (handover.await(90, TimeUnit.SECONDS)) {
            if (!delay.isZero()) {
              Thread.sleep(delay);
            }
            world.testbed.killAgent(to);
            killed.set(true);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
        assertThat(killed).as("the migration reached handover").isTrue();
        sleepQuietly(Duration.ofSeconds(1));
        world.testbed.startAgent(to, world.launcher, Duration.ofSeconds(60));
        return world.awaitMigration(from, started.id().value(), Duration.ofMinutes(2));
      } finally {
        follower.interrupt();
      }
    }
  }

  private static void unbindBoth() {
    for (String h : List.of("host-a", "host-b")) {
      try (AgentClient a = world.agent(h)) {
        a.bindManager(new ManagerBinding(Optional.empty(), h));
      }
    }
  }

  /**
   * Waits until exactly one host runs the VM (with its lease, unless standalone) and the guest
   * answers; returns that host.
   */
  private static String runsOnExactlyOne(boolean standalone) {
    List<String> running = new ArrayList<>();
    await("the VM runs on exactly one host")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              running.clear();
              for (String h : List.of("host-a", "host-b")) {
                if (world.vmNames(h).contains(VM) && world.vm(h, VM).state() == VmState.RUNNING) {
                  running.add(h);
                }
              }
              if (running.size() != 1) {
                return false;
              }
              String other = running.get(0).equals("host-a") ? "host-b" : "host-a";
              return world.qemuPids(other).isEmpty();
            });
    String host = running.get(0);
    if (standalone) {
      world.httpGet("http://" + world.guestIp(0) + "/cgi-bin/status");
      return host;
    }
    try (ManagerClient m = manager.client()) {
      Lease lease = m.lease(VM);
      assertThat(lease.host()).as("the lease names the host that runs it").isEqualTo(host);
      assertThat(lease.active()).as("the lease is settled: %s", lease).isTrue();
    }
    world.httpGet("http://" + world.guestIp(0) + "/cgi-bin/status");
    return host;
  }

  private static void sleepQuietly(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
