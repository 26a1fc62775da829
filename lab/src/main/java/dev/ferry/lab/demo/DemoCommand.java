package dev.ferry.lab.demo;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import dev.ferry.api.AgentClient;
import dev.ferry.api.AgentEndpoint;
import dev.ferry.api.MigrationText;
import dev.ferry.api.VmCreateRequest;
import dev.ferry.api.VmInfo;
import dev.ferry.common.ByteSize;
import dev.ferry.lab.testbed.ExecResult;
import dev.ferry.lab.testbed.GuestImageDir;
import dev.ferry.lab.testbed.OutageProbe;
import dev.ferry.lab.testbed.ProbeResult;
import dev.ferry.lab.testbed.Testbed;
import dev.ferry.lab.testbed.TestbedAgents;
import dev.ferry.lab.testbed.TestbedSpec;
import dev.ferry.migration.MigrationRecord;
import dev.ferry.migration.MigrationSettings;
import dev.ferry.migration.MigrationState;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ferry-lab demo}: the main job on one machine. Builds a two-host testbed, boots the test
 * guest on host-a, shows it serving a client in another namespace, and cleans everything up.
 */
@Command(
    name = "demo",
    description = "Build a two-host testbed, boot the test guest, show it serving, clean up.")
public final class DemoCommand implements Callable<Integer> {
  private static final String TESTBED = "demo";
  private static final String VM = "demo-vm";
  private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration CONSOLE_RETRY = Duration.ofMillis(250);

  @Option(
      names = "--memory",
      defaultValue = "256M",
      description = "Guest RAM (default: ${DEFAULT-VALUE}).")
  String memory;

  @Option(
      names = "--accel",
      defaultValue = "auto",
      description = "Accelerator (default: ${DEFAULT-VALUE}).")
  String accel;

  @Option(
      names = "--workload",
      defaultValue = "64:16",
      description = "Memory dirtier in the guest, WSS_MIB:RATE_MIBPS (default: ${DEFAULT-VALUE}).")
  String workload;

  @Option(
      names = "--keep",
      description =
          "Leave the testbed up at the end (remove it with 'ferry-lab testbed down --name demo').")
  boolean keep;

  @Spec CommandSpec spec;

  private PrintWriter out;
  private Instant started;

  @Override
  public Integer call() throws Exception {
    out = spec.commandLine().getOut();
    started = Instant.now();
    Path guest =
        GuestImageDir.find()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "the test guest is not built: run guest/build-image.sh (scripts/demo does)"));
    step("Cleaning any earlier demo testbed");
    Testbed.down(TESTBED);
    step("Building a 2-host testbed (network namespaces, fabric bridge, one agent per host)");
    Testbed tb =
        Testbed.up(
            TestbedSpec.named(TESTBED)
                .withHosts(2)
                .withAgentLauncher(new TestbedAgents(accel, Optional.of(guest))));
    try {
      for (var h : tb.hosts()) {
        step("  %s  %s  agent %s", h.name(), h.address(), h.plan().agentUrl());
      }
      run(tb, guest);
    } finally {
      if (keep) {
        step("Testbed left up; remove it with: ferry-lab testbed down --name %s", TESTBED);
      } else {
        step("Removing the testbed");
        tb.down();
      }
    }
    step("Done in %.1f s", Duration.between(started, Instant.now()).toMillis() / 1000.0);
    return 0;
  }

  private void run(Testbed tb, Path guest) {
    String ip = tb.guestAddress(0);
    try (AgentClient a =
        new AgentClient(new AgentEndpoint.Unix(tb.host("host-a").plan().agentSocket()))) {
      var facts = a.host();
      step("host-a runs QEMU %s with %s", facts.qemu().version(), facts.accelerator());
      step("Booting the test guest %s (%s) on host-a with address %s", VM, memory, ip);
      VmInfo vm =
          a.createVm(
              new VmCreateRequest(
                  VM,
                  Optional.of(1),
                  ByteSize.parse(memory),
                  Optional.empty(),
                  Optional.empty(),
                  Optional.of(guest.resolve("vmlinuz").toString()),
                  Optional.of(guest.resolve("initrd.img").toString()),
                  Optional.of(
                      "console=ttyS0 quiet ferry.ip="
                          + ip
                          + "/24 ferry.hostname="
                          + VM
                          + " ferry.dirty="
                          + workload),
                  List.of(),
                  List.of(new VmCreateRequest.Nic("br0", Optional.empty())),
                  Optional.of(true)));
      step(
          "  QEMU pid %d, machine %s, MAC %s",
          vm.pid().orElse(-1), vm.spec().machine(), vm.spec().nics().get(0).mac());
      Instant boot = Instant.now();
      if (!awaitReady(a)) {
        throw new IllegalStateException(
            "the guest did not come up in "
                + BOOT_TIMEOUT.toSeconds()
                + " s; console:\n"
                + a.console(VM, 4000));
      }
      step("  guest ready after %.1f s", Duration.between(boot, Instant.now()).toMillis() / 1000.0);

      step("Probing the guest's echo service from the client namespace, 1 datagram/ms for 3 s");
      ProbeResult p =
          OutageProbe.run(
              tb,
              guest.resolve("bin/ferry-probe"),
              ip,
              Duration.ofMillis(1),
              Duration.ofSeconds(3));
      step(
          "  %d sent, %d answered, median rtt %.2f ms, longest gap %.1f ms",
          p.sent(), p.received(), p.rttP50Ms() == null ? Double.NaN : p.rttP50Ms(), p.maxGapMs());
      ExecResult http =
          tb.exec(
              tb.clientNamespace(),
              Duration.ofSeconds(15),
              List.of("curl", "-sS", "--max-time", "10", "http://" + ip + "/cgi-bin/status"));
      step(
          "  HTTP from the client: %s",
          http.ok() ? http.stdout().strip() : "failed: " + http.stderr().strip());

      List<MigrationRecord> moves = new java.util.ArrayList<>();
      moves.add(move(tb, ip, "host-a", "host-b"));
      moves.add(move(tb, ip, "host-b", "host-a"));
      step("Summary (total time includes preflight, destination start and cleanup):");
      out.println(
          String.format(
              Locale.ROOT,
              "  %-16s %9s %9s %9s %10s  %s",
              "move",
              "total",
              "downtime",
              "outage",
              "bytes",
              "predicted"));
      for (MigrationRecord r : moves) {
        out.println(
            String.format(
                Locale.ROOT,
                "  %-16s %7d ms %6d ms %6d ms %10s  %s",
                r.source() + "->" + r.destination(),
                r.durationMs().orElse(-1L),
                r.downtimeMs().orElse(-1L),
                r.outageMs().orElse(-1L),
                r.bytesTransferred().map(ByteSize::toHuman).orElse("-"),
                r.prediction().map(MigrationText::prediction).orElse("-")));
      }
      out.flush();
      step("Stopping the guest (ACPI power-off)");
      VmInfo stopped = a.stop(VM, false, Duration.ofSeconds(20));
      step("  %s is %s", VM, stopped.state().text());
      a.delete(VM, false);
    }
  }

  /** One live migration with the client probing the guest all along. */
  private MigrationRecord move(Testbed tb, String ip, String from, String to) {
    try (AgentClient src =
        new AgentClient(new AgentEndpoint.Unix(tb.host(from).plan().agentSocket()))) {
      step(
          "Live-migrating %s from %s to %s while the client probes it every millisecond",
          VM, from, to);
      MigrationRecord r =
          ProbedMigration.run(
              tb,
              src,
              VM,
              ip,
              to,
              MigrationSettings.defaults(),
              new ProgressPrinter(out, System.console() != null));
      if (!(r.state() instanceof MigrationState.Completed)) {
        throw new IllegalStateException(
            "migration "
                + r.id()
                + " ended "
                + r.state().label()
                + ": "
                + r.error().map(Object::toString).orElse(""));
      }
      step(
          "  done: %d ms in all, QEMU downtime %d ms, outage seen by the client %d ms, %s sent",
          r.durationMs().orElse(-1L),
          r.downtimeMs().orElse(-1L),
          r.outageMs().orElse(-1L),
          r.bytesTransferred().map(ByteSize::toHuman).orElse("-"));
      return r;
    }
  }

  /** Waits for the guest's ready marker on its console; false if it did not come in time. */
  private static boolean awaitReady(AgentClient a) {
    // The marker is only on the serial console: no agent event announces it, so read it again.
    RetryPolicy<Boolean> retry =
        RetryPolicy.<Boolean>builder()
            .handleResult(false)
            .withDelay(CONSOLE_RETRY)
            .withMaxDuration(BOOT_TIMEOUT)
            .withMaxRetries(-1)
            .build();
    try {
      return Failsafe.with(retry).get(() -> a.console(VM, 0).contains("FERRY-GUEST-READY"));
    } catch (FailsafeException e) {
      if (e.getCause() instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("waiting for the guest: " + e.getMessage(), e);
    }
  }

  private void step(String format, Object... args) {
    double t = Duration.between(started, Instant.now()).toMillis() / 1000.0;
    out.println(
        String.format(Locale.ROOT, "[%6.1fs] ", t) + String.format(Locale.ROOT, format, args));
    out.flush();
  }
}
