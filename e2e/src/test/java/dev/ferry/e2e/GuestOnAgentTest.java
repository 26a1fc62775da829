package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.AgentClient;
import dev.ferry.api.VmInfo;
import dev.ferry.api.VmState;
import dev.ferry.common.ByteSize;
import dev.ferry.testbed.OutageProbe;
import dev.ferry.testbed.ProbeResult;
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
