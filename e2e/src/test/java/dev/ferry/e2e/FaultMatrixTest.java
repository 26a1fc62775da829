package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.AgentClient;
import dev.ferry.api.AgentEvent;
import dev.ferry.api.VmState;
import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import dev.ferry.migration.MigrationPhase;
import dev.ferry.migration.MigrationRecord;
import dev.ferry.migration.MigrationSettings;
import dev.ferry.migration.MigrationState;
import dev.ferry.migration.TimeoutAction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault matrix: a fault injected into a migration at a phase (by the source's events, not by
 * sleep), with both hosts' vCPU threads sampled every 50 ms. Every cell: never two running copies;
 * the VM ends running on exactly one host and answers (or, in the cells where that cannot hold, the
 * record names why); the record names the phase and the cause; a migration afterwards succeeds. CI
 * runs a representative subset; {@code -Dferry.faultMatrix=full} (or {@code scripts/fault-matrix})
 * runs every cell and writes the table to {@code e2e/target/fault-matrix.md}.
 */
@Timeout(value = 25, unit = TimeUnit.MINUTES)
class FaultMatrixTest {
  private static final Logger log = LoggerFactory.getLogger(FaultMatrixTest.class);
  private static final String VM = "matrix1";
  private static final List<String> HOSTS = List.of("host-a", "host-b");
  private static TestWorld world;
  private static VcpuSampler sampler;
  private static final List<String> table = new ArrayList<>();

  /** What is done to the migration. */
  enum Fault {
    DEST_QEMU_KILLED("destination QEMU killed"),
    DEST_AGENT_RESTARTED("destination agent killed, restarted after 2 s"),
    SOURCE_AGENT_RESTARTED("source agent killed, restarted"),
    LINK_CUT("destination's link cut for 5 s"),
    DEST_AGENT_DOWN_LONG("destination agent killed, restarted after 30 s"),
    LINK_CUT_LONG("destination's link cut for 60 s");

    final String text;

    Fault(String text) {
      this.text = text;
    }
  }

  /** When it is done: the source's event that triggers it. */
  enum Phase {
    PRECOPY,
    HANDOVER,
    POSTCOPY
  }

  record Cell(Fault fault, Phase phase) {
    @Override
    public String toString() {
      return fault.text + " in " + phase.name().toLowerCase(Locale.ROOT);
    }

    /** The destination's QEMU killed once it runs the guest: a crash there, not a fault of ours. */
    boolean mayLoseTheGuest() {
      return fault == Fault.DEST_QEMU_KILLED && phase != Phase.PRECOPY;
    }
  }

  static Stream<Cell> cells() {
    String chosen = System.getProperty("ferry.faultMatrix", "");
    List<Cell> all = new ArrayList<>();
    for (Phase p : Phase.values()) {
      for (Fault f : Fault.values()) {
        all.add(new Cell(f, p));
      }
    }
    if (chosen.equals("full")) {
      return all.stream();
    }
    if (!chosen.isEmpty()) {
      // A comma-separated list of faults, e.g. LINK_CUT_LONG,DEST_AGENT_DOWN_LONG.
      List<String> faults = List.of(chosen.toUpperCase(Locale.ROOT).split(","));
      return all.stream().filter(c -> faults.contains(c.fault().name()));
    }
    // Cells the other end-to-end tests do not cover.
    return Stream.of(
        new Cell(Fault.SOURCE_AGENT_RESTARTED, Phase.HANDOVER),
        new Cell(Fault.LINK_CUT, Phase.HANDOVER),
        new Cell(Fault.SOURCE_AGENT_RESTARTED, Phase.POSTCOPY),
        new Cell(Fault.DEST_AGENT_RESTARTED, Phase.POSTCOPY));
  }

  @BeforeAll
  static void up() {
    world = TestWorld.up("fe2e-matrix", 42, 2);
    sampler = VcpuSampler.start(HOSTS, world::qemuPids, Duration.ofMillis(50));
  }

  @AfterAll
  static void down() throws IOException {
    try {
      if (sampler != null) {
        sampler.close();
      }
      Path out = Path.of("target", "fault-matrix.md");
      Files.createDirectories(out.getParent());
      Files.writeString(
          out,
          "| fault | phase | outcome | runs on | longest pause | record |\n|---|---|---|---|---|---|\n"
              + String.join("\n", table)
              + "\n");
      log.info("Fault matrix:\n{}", String.join("\n", table));
    } finally {
      if (world != null) {
        world.close();
      }
    }
  }

  private static MigrationSettings settingsFor(Phase phase) {
    return switch (phase) {
      // Capped (above the guest's 64 MiB/s) so that pre-copy lasts a few seconds and converges.
      case PRECOPY ->
          MigrationSettings.defaults()
              .withBandwidth(Optional.of(DataRate.ofMebibytesPerSecond(16)));
      case HANDOVER -> MigrationSettings.defaults();
      // Dirtying faster than the cap, post-copy allowed, a short budget: post-copy within 4 s.
      case POSTCOPY ->
          new MigrationSettings(
              Optional.of(DataRate.ofMebibytesPerSecond(24)),
              Duration.ofMillis(30),
              Duration.ofMillis(200),
              1,
              false,
              true,
              Optional.of(Duration.ofSeconds(5)),
              TimeoutAction.FORCE,
              false,
              false);
    };
  }

  /** The source's event at which the fault is injected. */
  private static Predicate<AgentEvent> trigger(Phase phase) {
    return switch (phase) {
      case PRECOPY ->
          e ->
              e.progress()
                  .map(p -> p.phase() == MigrationPhase.PRECOPY && p.percent() >= 10)
                  .orElse(false);
      case HANDOVER ->
          e -> e.type() == AgentEvent.Type.MIGRATION_STATE && e.message().startsWith("handover");
      case POSTCOPY -> {
        // The cleanup that follows a handover in post-copy: the guest runs on the destination
        // while the rest of its memory streams.
        java.util.concurrent.atomic.AtomicBoolean switched =
            new java.util.concurrent.atomic.AtomicBoolean();
        yield e -> {
          if (e.type() != AgentEvent.Type.MIGRATION_STATE) {
            return false;
          }
          if (e.message().startsWith("handover") && e.message().contains("post-copy")) {
            switched.set(true);
          }
          return switched.get() && e.message().startsWith("cleanup");
        };
      }
    };
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cells")
  void aFaultNeverLeavesTwoCopiesAndARetrySucceeds(Cell cell) {
    String source = ensureRunningSomewhere();
    String dest = source.equals("host-a") ? "host-b" : "host-a";
    Instant from = Instant.now();
    MigrationRecord r = migrateWithFault(cell, source, dest);
    Optional<String> on;
    try {
      on = runsOnExactlyOne(cell.mayLoseTheGuest());
    } catch (AssertionError | RuntimeException e) {
      table.add(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | **not running on exactly one host and answering**: %s | - | %s |",
              cell.fault.text,
              cell.phase.name().toLowerCase(Locale.ROOT),
              r.state().label(),
              String.valueOf(e.getMessage()).lines().findFirst().orElse("").replace('|', '/'),
              r.error().map(x -> x.cause()).orElse("-").replace('|', '/')));
      throw e;
    }
    Duration none = sampler.longestNone(from);
    String row =
        String.format(
            Locale.ROOT,
            "| %s | %s | %s | %s | %d ms | %s |",
            cell.fault.text,
            cell.phase.name().toLowerCase(Locale.ROOT),
            r.state().label(),
            on.orElse("none (the guest died with the destination QEMU)"),
            none.toMillis(),
            r.error().map(e -> e.phase().text() + ": " + e.cause()).orElse("-").replace('|', '/'));
    table.add(row);
    log.info("Fault matrix cell: {}", row);
    assertThat(sampler.twoRunning(from)).as("two running copies: %s", row).isEmpty();
    assertThat(r.state().terminal()).as(row).isTrue();
    if (r.state() instanceof MigrationState.Failed f) {
      assertThat(r.error()).as("the record names the phase and the cause: %s", row).isPresent();
    }
    if (!cell.mayLoseTheGuest()) {
      assertThat(on).as("the VM runs on one host: %s", row).isPresent();
    }
    // A retry succeeds.
    String now = ensureRunningSomewhere();
    String other = now.equals("host-a") ? "host-b" : "host-a";
    MigrationRecord retry = world.migrate(now, VM, other, MigrationSettings.defaults());
    assertThat(retry.state())
        .as("retry after %s: %s", row, retry.transitions())
        .isInstanceOf(MigrationState.Completed.class);
  }

  /** The VM running on exactly one host, booted on host-a if it runs nowhere; returns where. */
  private static String ensureRunningSomewhere() {
    Optional<String> on = runningOn();
    if (on.isPresent()) {
      // A definition left on the other host (not running: checked above) would refuse the next
      // migration there; it is removed, and named in the log.
      String other = on.get().equals("host-a") ? "host-b" : "host-a";
      try (AgentClient a = world.agent(other)) {
        for (var vm : a.listVms()) {
          log.warn(
              "Removing a leftover definition of {} on {} ({})",
              vm.spec().name(),
              other,
              vm.state());
          a.delete(vm.spec().name(), true);
        }
      }
      return on.get();
    }
    for (String h : HOSTS) {
      try (AgentClient a = world.agent(h)) {
        for (var vm : a.listVms()) {
          a.delete(vm.spec().name(), true);
        }
      }
    }
    try (AgentClient a = world.agent("host-a")) {
      a.createVm(world.guestRequest(VM, 0, ByteSize.ofMiB(256), "ferry.dirty=128:64"));
      world.awaitGuestReady(a, VM);
    }
    return "host-a";
  }

  private static Optional<String> runningOn() {
    List<String> running = new ArrayList<>();
    for (String h : HOSTS) {
      if (world.vmNames(h).contains(VM) && world.vm(h, VM).state() == VmState.RUNNING) {
        running.add(h);
      }
    }
    return running.size() == 1 ? Optional.of(running.get(0)) : Optional.empty();
  }

  private static MigrationRecord migrateWithFault(Cell cell, String source, String dest) {
    CountDownLatch hit = new CountDownLatch(1);
    CountDownLatch open = new CountDownLatch(1);
    AtomicReference<String> id = new AtomicReference<>("");
    Predicate<AgentEvent> trigger = trigger(cell.phase);
    try (AgentClient a = world.agent(source)) {
      Thread follower =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      a.followEvents(
                          0,
                          open::countDown,
                          e -> {
                            if (e.migration().equals(Optional.of(id.get())) && trigger.test(e)) {
                              hit.countDown();
                            }
                          });
                    } catch (RuntimeException e) {
                      // ends when the test interrupts it, or with the source agent
                    }
                  });
      try {
        assertThat(open.await(10, TimeUnit.SECONDS)).as("event stream open").isTrue();
        MigrationRecord started = world.startMigration(source, VM, dest, settingsFor(cell.phase));
        id.set(started.id().value());
        assertThat(hit.await(90, TimeUnit.SECONDS))
            .as("the migration reached %s", cell.phase)
            .isTrue();
        inject(cell.fault, source, dest);
        return awaitEnd(source, started.id().value());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      } finally {
        follower.interrupt();
      }
    }
  }

  private static void inject(Fault fault, String source, String dest) {
    switch (fault) {
      case DEST_QEMU_KILLED ->
          world
              .qemuPids(dest)
              .forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
      case DEST_AGENT_RESTARTED -> {
        world.testbed.killAgent(dest);
        sleep(Duration.ofSeconds(2));
        world.testbed.startAgent(dest, world.launcher, Duration.ofSeconds(60));
      }
      case SOURCE_AGENT_RESTARTED -> {
        world.testbed.killAgent(source);
        world.testbed.startAgent(source, world.launcher, Duration.ofSeconds(60));
      }
      case LINK_CUT -> cut(dest, Duration.ofSeconds(5));
      case LINK_CUT_LONG -> cut(dest, Duration.ofSeconds(60));
      case DEST_AGENT_DOWN_LONG -> {
        world.testbed.killAgent(dest);
        sleep(Duration.ofSeconds(30));
        world.testbed.startAgent(dest, world.launcher, Duration.ofSeconds(60));
      }
    }
  }

  private static void cut(String host, Duration d) {
    world.testbed.cutHost(host);
    try {
      sleep(d);
    } finally {
      world.testbed.restoreHost(host);
    }
  }

  /** Waits for the migration's end on the source, through a restart of its agent. */
  private static MigrationRecord awaitEnd(String source, String id) {
    return await("migration " + id + " ends")
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(250))
        .ignoreExceptions()
        .until(
            () -> {
              try (AgentClient a = world.agent(source)) {
                return a.migration(id);
              }
            },
            r -> r.state().terminal());
  }

  /** Waits until exactly one host runs the VM and the guest answers; empty if none does. */
  private static Optional<String> runsOnExactlyOne(boolean mayBeNone) {
    AtomicReference<Optional<String>> on = new AtomicReference<>(Optional.empty());
    try {
      await("the VM runs on exactly one host")
          .atMost(Duration.ofSeconds(mayBeNone ? 20 : 60))
          .pollInterval(Duration.ofMillis(250))
          .ignoreExceptions()
          .until(
              () -> {
                on.set(runningOn());
                if (on.get().isEmpty()) {
                  return false;
                }
                String other = on.get().get().equals("host-a") ? "host-b" : "host-a";
                // Nothing of it left there either: no QEMU, no definition that claims it.
                return world.qemuPids(other).isEmpty() && !world.vmNames(other).contains(VM);
              });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      if (mayBeNone) {
        return Optional.empty();
      }
      throw e;
    }
    world.httpGet("http://" + world.guestIp(0) + "/cgi-bin/status");
    return on.get();
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
