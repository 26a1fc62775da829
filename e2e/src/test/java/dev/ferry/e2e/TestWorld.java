package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.api.AgentClient;
import dev.ferry.api.AgentEndpoint;
import dev.ferry.api.VmCreateRequest;
import dev.ferry.api.VmInfo;
import dev.ferry.common.ByteSize;
import dev.ferry.lab.testbed.ExecResult;
import dev.ferry.lab.testbed.HostInfo;
import dev.ferry.lab.testbed.Testbed;
import dev.ferry.lab.testbed.TestbedAgents;
import dev.ferry.lab.testbed.TestbedSpec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A testbed with real agents for one test class: builds it, hands out agent clients, creates test
 * guests, and always takes everything down. The testbed name is unique to the class, so a leftover
 * from a crashed run never collides with a new one (and is removed before building).
 */
final class TestWorld implements AutoCloseable {
  static final String ACCEL = "tcg";
  private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(120);

  final GuestImage guest;
  final Testbed testbed;
  final TestbedAgents launcher;

  private TestWorld(GuestImage guest, Testbed testbed, TestbedAgents launcher) {
    this.guest = guest;
    this.testbed = testbed;
    this.launcher = launcher;
  }

  /**
   * @param name testbed name, unique per test class
   * @param subnet k in 198.18.k.0/24, unique per test class
   */
  static TestWorld up(String name, int subnet, int hosts) {
    GuestImage guest = GuestImage.locate();
    Testbed.down(name); // a leftover of a crashed earlier run
    TestbedAgents launcher = new TestbedAgents(ACCEL, Optional.of(guest.dir()));
    Testbed tb =
        Testbed.up(
            TestbedSpec.named(name)
                .withHosts(hosts)
                .withSubnetIndex(subnet)
                .withAgentLauncher(launcher)
                .withAgentReadyTimeout(Duration.ofSeconds(60)));
    return new TestWorld(guest, tb, launcher);
  }

  HostInfo host(String name) {
    return testbed.host(name);
  }

  AgentClient agent(String host) {
    return new AgentClient(new AgentEndpoint.Unix(testbed.host(host).plan().agentSocket()));
  }

  /** The guest address with index i: 198.18.k.(100+i). */
  String guestIp(int i) {
    return testbed.guestAddress(i);
  }

  /** A request for the test guest with its IP on the kernel command line, one NIC on br0. */
  VmCreateRequest guestRequest(String name, int ipIndex, ByteSize memory, String extraCmdline) {
    String ip = guestIp(ipIndex);
    String cmdline =
        "console=ttyS0 quiet ferry.ip=" + ip + "/24 ferry.hostname=" + name + " " + extraCmdline;
    return new VmCreateRequest(
        name,
        Optional.of(1),
        memory,
        Optional.empty(),
        Optional.empty(),
        Optional.of(guest.kernel().toString()),
        Optional.of(guest.initrd().toString()),
        Optional.of(cmdline.strip()),
        List.of(),
        List.of(new VmCreateRequest.Nic("br0", Optional.empty())),
        Optional.of(true));
  }

  /** Waits until the guest printed its ready marker on the console. */
  void awaitGuestReady(AgentClient agent, String vm) {
    await("guest " + vm + " ready")
        .atMost(BOOT_TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> agent.console(vm, 0).contains("FERRY-GUEST-READY"));
  }

  /** Runs a command in the client namespace. */
  ExecResult fromClient(String... command) {
    return testbed.exec(testbed.clientNamespace(), command);
  }

  /** HTTP GET from the client namespace with curl; returns the body. */
  String httpGet(String url) {
    ExecResult r =
        testbed.exec(
            testbed.clientNamespace(),
            Duration.ofSeconds(20),
            List.of("curl", "-sS", "--fail", "--max-time", "10", url));
    assertThat(r.ok()).as("GET %s: %s", url, r.stderr()).isTrue();
    return r.stdout();
  }

  /**
   * Waits until the guest at {@code ipIndex} answers HTTP again, e.g. after a cold restart (its
   * console still holds the ready marker of the boot before).
   */
  void awaitGuestAnswers(int ipIndex) {
    String url = "http://" + guestIp(ipIndex) + "/cgi-bin/status";
    await("guest " + guestIp(ipIndex) + " answers")
        .atMost(BOOT_TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                testbed
                    .exec(
                        testbed.clientNamespace(),
                        Duration.ofSeconds(5),
                        List.of("curl", "-sS", "--fail", "--max-time", "2", url))
                    .ok());
  }

  /** Starts a migration (returns after preflight) from {@code source} to {@code destination}. */
  dev.ferry.migration.MigrationRecord startMigration(
      String source, String vm, String destination, dev.ferry.migration.MigrationSettings s) {
    try (AgentClient a = agent(source)) {
      return a.migrate(
          vm,
          new dev.ferry.api.MigrationRequest(
              destination, host(destination).plan().agentUrl().toString(), Optional.of(s)));
    }
  }

  /** Waits until the migration reached a terminal state (bounded). */
  dev.ferry.migration.MigrationRecord awaitMigration(String source, String id, Duration max) {
    try (AgentClient a = agent(source)) {
      return await("migration " + id + " ends")
          .atMost(max)
          .pollInterval(Duration.ofMillis(200))
          .until(() -> a.migration(id), r -> r.state().terminal());
    }
  }

  /** Migrates and waits for the end. */
  dev.ferry.migration.MigrationRecord migrate(
      String source, String vm, String destination, dev.ferry.migration.MigrationSettings s) {
    var started = startMigration(source, vm, destination, s);
    return awaitMigration(source, started.id().value(), Duration.ofMinutes(3));
  }

  /** Aborts whatever migration a failed test left running, so cleanup can stop its VM. */
  void abortAllMigrations() {
    for (var h : testbed.hosts()) {
      try (AgentClient a = agent(h.name())) {
        for (var m : a.migrations()) {
          if (!m.state().terminal()) {
            try {
              a.abortMigration(m.id().value());
            } catch (RuntimeException e) {
              // past handover: it finishes on its own
            }
          }
        }
      }
    }
  }

  /** Names of the VMs on a host. */
  List<String> vmNames(String host) {
    try (AgentClient a = agent(host)) {
      return a.listVms().stream().map(v -> v.spec().name()).toList();
    }
  }

  /** QEMU processes living in a host's namespace. */
  List<Long> qemuPids(String host) {
    List<Long> out = new java.util.ArrayList<>();
    String pids;
    try {
      Process p =
          new ProcessBuilder("ip", "netns", "pids", testbed.host(host).namespace())
              .redirectErrorStream(true)
              .start();
      pids = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      p.waitFor();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    for (String line : pids.split("\\s+")) {
      if (line.isBlank()) {
        continue;
      }
      long pid = Long.parseLong(line.strip());
      String cmd = ProcessHandle.of(pid).flatMap(p -> p.info().command()).orElse("");
      if (cmd.contains("qemu-system")) {
        out.add(pid);
      }
    }
    return out;
  }

  VmInfo vm(String host, String name) {
    try (AgentClient a = agent(host)) {
      return a.vm(name);
    }
  }

  @Override
  public void close() {
    testbed.down();
  }
}
