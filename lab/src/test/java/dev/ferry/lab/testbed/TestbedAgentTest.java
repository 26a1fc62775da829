package dev.ferry.lab.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Agents started by the testbed: where they run, that they outlive their launcher, and down. */
@Timeout(90)
class TestbedAgentTest {
  @TempDir Path dir;
  private TestWorld world;

  @BeforeAll
  static void namespacesWork() {
    TestWorld.requireWorkingNetns();
  }

  @BeforeEach
  void newWorld() {
    world = new TestWorld(dir);
  }

  @AfterEach
  void tearDown() {
    world.down();
  }

  @Test
  void eachAgentRunsDetachedInsideItsHostNamespaceUntilDown() throws Exception {
    Testbed tb = Testbed.up(world.spec().withAgentLauncher(new SleepingAgents()));

    List<ProcessHandle> agents = new ArrayList<>();
    for (HostInfo host : tb.hosts()) {
      long pid = host.agentPid().orElseThrow();
      ProcessHandle agent = ProcessHandle.of(pid).orElseThrow();
      agents.add(agent);
      assertThat(agent.info().command()).hasValueSatisfying(c -> assertThat(c).endsWith("sleep"));
      assertThat(TestbedNetworkTest.identify(pid)).isEqualTo(host.namespace());
      assertThat(sessionOf(pid)).as("agent %s leads a session of its own", pid).isEqualTo(pid);
      assertThat(host.plan().logFile()).exists();
    }
    assertThat(Testbed.load(world.name, world.stateRoot).hosts()).isEqualTo(tb.hosts());
    Thread.sleep(500);
    assertThat(agents).allMatch(ProcessHandle::isAlive, "still alive");

    tb.down();

    for (ProcessHandle agent : agents) {
      agent.onExit().get(5, TimeUnit.SECONDS);
    }
    assertThat(world.namespaces()).isEmpty();
  }

  @Test
  void agentsOutliveTheJvmThatStartedThemAndAnotherProcessTakesThemDown() throws Exception {
    Process up = world.upInAnotherJvm("exit");
    assertThat(up.waitFor(60, TimeUnit.SECONDS)).as("up in another JVM finished").isTrue();
    assertThat(up.exitValue()).as("its exit status; output: %s", world.output()).isZero();

    Testbed tb = Testbed.load(world.name, world.stateRoot);
    List<ProcessHandle> agents = new ArrayList<>();
    for (HostInfo host : tb.hosts()) {
      ProcessHandle agent = ProcessHandle.of(host.agentPid().orElseThrow()).orElseThrow();
      assertThat(agent.isAlive()).as("agent of %s after its launcher exited", host.name()).isTrue();
      assertThat(TestbedNetworkTest.identify(agent.pid())).isEqualTo(host.namespace());
      agents.add(agent);
    }
    assertThat(TestbedNetworkTest.ping(tb, tb.clientNamespace(), tb.host("host-b").address()))
        .isTrue();

    Testbed.down(world.name, world.stateRoot, world.dataRoot);

    for (ProcessHandle agent : agents) {
      agent.onExit().get(10, TimeUnit.SECONDS);
    }
    assertThat(world.namespaces()).isEmpty();
  }

  @Test
  void anAgentThatNeverGetsReadyFailsUpWhichLeavesNothingBehind() {
    List<Long> started = new CopyOnWriteArrayList<>();
    AgentLauncher deaf =
        new SleepingAgents() {
          @Override
          public void awaitReady(HostPlan host, Duration timeout) {
            super.awaitReady(host, timeout);
            started.addAll(Netns.pids(host.namespace()));
            throw new AgentNotReadyException(host.name(), "no answer on " + host.agentSocket());
          }
        };

    assertThatThrownBy(() -> Testbed.up(world.spec().withAgentLauncher(deaf)))
        .isInstanceOfSatisfying(
            AgentNotReadyException.class,
            e -> {
              assertThat(e.host()).isEqualTo("host-a");
              assertThat(e.step()).isEqualTo("await agent on host-a");
              assertThat(e.getMessage()).contains("no answer on", "agent.log");
            });

    assertThat(started).isNotEmpty();
    for (long pid : started) {
      assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
          .as("agent pid %s", pid)
          .isEmpty();
    }
    assertThat(world.namespaces()).isEmpty();
    assertThat(world.stateRoot.resolve(world.name)).doesNotExist();
    assertThat(world.dataRoot.resolve(world.name)).doesNotExist();
  }

  @Test
  void anAgentCommandThatExitsAtOnceIsReportedWithItsLog() {
    AgentLauncher broken =
        new SleepingAgents() {
          @Override
          public List<String> command(HostPlan host) {
            return List.of("ls", "/nonexistent-ferry-agent-binary");
          }

          @Override
          public void awaitReady(HostPlan host, Duration timeout) {
            throw new AgentNotReadyException(host.name(), "socket never appeared");
          }
          // No waiting here: up() itself gives a dying agent a moment to finish its log.
        };

    assertThatThrownBy(() -> Testbed.up(world.spec().withAgentLauncher(broken)))
        .isInstanceOf(AgentNotReadyException.class)
        .hasMessageContaining("await agent on host-a")
        .hasMessageContaining("nonexistent-ferry-agent-binary");
    assertThat(world.namespaces()).isEmpty();
  }

  static long sessionOf(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[3]);
  }
}
