package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.AgentClient;
import dev.ferry.api.VmInfo;
import dev.ferry.api.VmState;
import dev.ferry.common.ByteSize;
import dev.ferry.lab.testbed.OutageProbe;
import dev.ferry.lab.testbed.ProbeResult;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The foundation end to end: a real agent in a namespace host boots the test guest under QEMU (TCG
 * here), the guest's echo and HTTP services answer from the client namespace through the host
 * bridge, and killing and restarting the agent leaves the VM running and manageable.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 8, unit = java.util.concurrent.TimeUnit.MINUTES)
class GuestOnAgentTest {
  private static final String VM = "web1";
  private static TestWorld world;

  @BeforeAll
  static void up() {
    world = TestWorld.up("fe2e-guest", 41, 1);
  }

  @AfterAll
  static void down() {
    if (world != null) {
      world.close();
    }
  }

  @Test
  @Order(1)
  void guestBootsUnderTheAgentAndAnswersFromTheClientNamespace() {
    try (AgentClient agent = world.agent("host-a")) {
      VmInfo vm = agent.createVm(world.guestRequest(VM, 0, ByteSize.ofMiB(256), ""));
      assertThat(vm.state()).isEqualTo(VmState.RUNNING);
      assertThat(vm.pid()).isPresent();
      assertThat(vm.spec().machine()).as("machine type is pinned").matches("pc-i440fx-\\d+\\.\\d+");
      world.awaitGuestReady(agent, VM);

      ProbeResult probe =
          OutageProbe.run(
              world.testbed,
              world.guest.tool("ferry-probe"),
              world.guestIp(0),
              Duration.ofMillis(1),
              Duration.ofSeconds(2));
      assertThat(probe.received())
          .as("echo replies in 2 s at 1 ms intervals: %s", probe)
          .isGreaterThan(1000);

      String status = world.httpGet("http://" + world.guestIp(0) + "/cgi-bin/status");
      assertThat(status).contains("\"hostname\"").contains(VM);
    }
  }

  @Test
  @Order(2)
  void cliReportsVmsAndExitCodesThatMeanSomething() {
    Cli.Result list = cli("vm", "list", "--json");
    assertThat(list.exit()).as(list.err()).isZero();
    assertThat(list.out())
        .contains("\"name\" : \"" + VM + "\"")
        .contains("\"state\" : \"running\"");
    Cli.Result table = cli("vm", "list");
    assertThat(table.out()).contains("NAME").contains(VM).contains("running");
    Cli.Result show = cli("vm", "show", VM);
    assertThat(show.out()).contains("UUID").contains("pc-i440fx").contains("on bridge br0");
    Cli.Result host = cli("host", "info");
    assertThat(host.out()).contains("Accelerator").contains("tcg").contains("QEMU").contains("7.2");
    Cli.Result console = cli("vm", "console", VM, "--bytes", "2000");
    assertThat(console.out()).contains("FERRY-GUEST-READY");

    assertThat(cli("vm", "show", "nope").exit()).isEqualTo(3);
    Cli.Result dup = cli("vm", "create", VM, "--memory", "128M");
    assertThat(dup.exit()).isEqualTo(4);
    assertThat(dup.err()).contains("already exists");
    Cli.Result zero = cli("vm", "create", "zero", "--memory", "0");
    assertThat(zero.exit()).isEqualTo(5);
    assertThat(zero.err()).contains("below the minimum");
    Cli.Result gone = Cli.run("vm", "list", "--agent", "unix:/nonexistent/agent.sock");
    assertThat(gone.exit()).isEqualTo(6);
    assertThat(gone.err()).contains("unreachable");
    assertThat(Cli.run("vm", "frobnicate").exit()).isEqualTo(2);
  }

  @Test
  @Order(3)
  void dataDiskWritesSurviveAndAGracefulStopPowersTheGuestOff() throws Exception {
    Path disk = world.host("host-a").plan().sharedDir().resolve("data1.qcow2");
    Process img =
        new ProcessBuilder("qemu-img", "create", "-q", "-f", "qcow2", disk.toString(), "64M")
            .redirectErrorStream(true)
            .start();
    assertThat(img.waitFor()).isZero();
    String ip = world.guestIp(1);
    Cli.Result create =
        cli(
            "vm",
            "create",
            "data1",
            "--memory",
            "256M",
            "--kernel",
            world.guest.kernel().toString(),
            "--initrd",
            world.guest.initrd().toString(),
            "--cmdline",
            "console=ttyS0 quiet ferry.ip=" + ip + "/24",
            "--disk",
            disk.toString(),
            "--nic",
            "br0",
            "--start");
    assertThat(create.exit()).as(create.err()).isZero();
    try (AgentClient agent = world.agent("host-a")) {
      world.awaitGuestReady(agent, "data1");
      assertThat(agent.vm("data1").spec().disks().get(0).format())
          .isEqualTo(dev.ferry.qemu.DiskFormat.QCOW2);
      assertThat(world.httpGet("http://" + ip + "/cgi-bin/diskwrite?dev=/dev/vda&blocks=512"))
          .contains("\"ok\":true");
      Thread.sleep(3000);
      String verified = world.httpGet("http://" + ip + "/cgi-bin/diskverify?dev=/dev/vda");
      assertThat(verified).contains("\"ok\":true");

      Cli.Result stop = cli("vm", "stop", "data1", "--timeout", "30");
      assertThat(stop.exit()).as(stop.err()).isZero();
      assertThat(agent.console("data1", 4000))
          .as("the guest powered itself off on the ACPI button")
          .contains("FERRY-GUEST-POWEROFF");
      assertThat(cli("vm", "delete", "data1").exit()).isZero();
    }
  }

  private static Cli.Result cli(String... args) {
    String[] all = new String[args.length + 4];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "-H";
    all[args.length + 1] = "host-a";
    all[args.length + 2] = "--testbed";
    all[args.length + 3] = world.testbed.name();
    return Cli.run(all);
  }

  @Test
  @Order(4)
  void restartingTheAgentLeavesTheVmRunningAndManageable() throws Exception {
    long qemuPid;
    try (AgentClient agent = world.agent("host-a")) {
      qemuPid = agent.vm(VM).pid().orElseThrow();
    }
    try (OutageProbe probe =
        OutageProbe.start(
            world.testbed,
            world.guest.tool("ferry-probe"),
            world.guestIp(0),
            Duration.ofMillis(1),
            Duration.ofSeconds(30))) {
      world.testbed.killAgent("host-a");
      assertThat(ProcessHandle.of(qemuPid).map(ProcessHandle::isAlive))
          .as("QEMU pid %d after the agent died", qemuPid)
          .contains(true);
      world.testbed.startAgent("host-a", world.launcher, Duration.ofSeconds(60));
      ProbeResult result = probe.stop();
      assertThat(result.outageMs())
          .as("the guest kept answering while its agent restarted: %s", result)
          .isLessThan(1000);
    }
    try (AgentClient agent = world.agent("host-a")) {
      VmInfo vm = agent.vm(VM);
      assertThat(vm.state()).isEqualTo(VmState.RUNNING);
      assertThat(vm.pid()).hasValue(qemuPid);

      assertThat(agent.pause(VM).state()).isEqualTo(VmState.PAUSED);
      assertThat(agent.resume(VM).state()).isEqualTo(VmState.RUNNING);
      world.httpGet("http://" + world.guestIp(0) + "/cgi-bin/status");

      VmInfo stopped = agent.stop(VM, false, Duration.ofSeconds(20));
      assertThat(stopped.state()).isEqualTo(VmState.STOPPED);
      assertThat(ProcessHandle.of(qemuPid).map(ProcessHandle::isAlive))
          .isNotEqualTo(java.util.Optional.of(true));
      agent.delete(VM, false);
      assertThat(agent.listVms()).isEmpty();
    }
  }
}
