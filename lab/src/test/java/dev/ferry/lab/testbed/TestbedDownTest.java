package dev.ferry.lab.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** down() after crashes and half-built testbeds, and what it must never touch. */
@Timeout(90)
class TestbedDownTest {
  @TempDir Path dir;
  private TestWorld world;
  private final List<String> bystanders = new ArrayList<>();

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
    try {
      world.down();
    } finally {
      bystanders.forEach(Netns::delete);
    }
  }

  @Test
  void downCleansUpAfterUpCrashedHalfWay() throws Exception {
    Process up = world.upInAnotherJvm("crash");
    assertThat(up.waitFor(60, TimeUnit.SECONDS)).as("up in another JVM ended").isTrue();
    assertThat(up.exitValue()).as("it crashed; output: %s", world.output()).isEqualTo(137);
    assertThat(world.namespaces()).hasSize(4);
    assertThatThrownBy(() -> Testbed.load(world.name, world.stateRoot))
        .hasMessageContaining("not ready (BUILDING)");
    List<ProcessHandle> agents = processesIn(world.namespaces());
    assertThat(agents).as("agents left running by the crash").isNotEmpty();

    Testbed.down(world.name, world.stateRoot, world.dataRoot);

    assertGone(agents);
    assertThat(world.namespaces()).isEmpty();
    assertThat(world.stateRoot.resolve(world.name)).doesNotExist();
    assertThat(world.dataRoot.resolve(world.name)).doesNotExist();
  }

  @Test
  void downFindsTheNamespacesByNameWhenTheStateFileIsGone() throws Exception {
    Testbed.up(world.spec().withHosts(3).withAgentLauncher(new SleepingAgents()));
    List<ProcessHandle> agents = processesIn(world.namespaces());
    assertThat(agents).hasSize(3);
    Files.delete(world.spec().stateFile());

    Testbed.down(world.name, world.stateRoot, world.dataRoot);

    assertGone(agents);
    assertThat(world.namespaces()).isEmpty();
    assertThat(world.dataRoot.resolve(world.name)).doesNotExist();
  }

  @Test
  void downRemovesAPartlyBuiltTestbedAndSparesItsNamesakes() throws Exception {
    TestbedSpec spec = world.spec().withHosts(2);
    Files.createDirectories(spec.stateDir());
    StateStore.write(spec.stateFile(), TestbedState.planned(spec, Instant.now()));
    Netns.add(spec.fabricNamespace());
    Netns.add(spec.hostPlans().getFirst().namespace());
    Process stray =
        new ProcessBuilder(
                Netns.exec(spec.hostPlans().getFirst().namespace(), List.of("sleep", "600")))
            .start();
    for (String other :
        List.of(world.name + "-x-host-a", world.name + "x-fabric", world.name + "-extra")) {
      Netns.add(other);
      bystanders.add(other);
    }

    Testbed.down(world.name, world.stateRoot, world.dataRoot);

    assertThat(stray.waitFor(10, TimeUnit.SECONDS)).as("process in host-a stopped").isTrue();
    assertThat(world.namespaces()).isEmpty();
    assertThat(Netns.list()).containsAll(bystanders);
    assertThat(spec.stateDir()).doesNotExist();
  }

  @Test
  void aDamagedStateFileDoesNotStopDown() throws Exception {
    TestbedSpec spec = world.spec();
    Files.createDirectories(spec.stateDir());
    Files.writeString(spec.stateFile(), "{\"version\": 1, \"name\": ");
    Netns.add(spec.clientNamespace());

    Testbed.down(world.name, world.stateRoot, world.dataRoot);

    assertThat(world.namespaces()).isEmpty();
    assertThat(spec.stateDir()).doesNotExist();
  }

  private static List<ProcessHandle> processesIn(List<String> namespaces) {
    return namespaces.stream()
        .flatMap(ns -> Netns.pids(ns).stream())
        .map(ProcessHandle::of)
        .flatMap(java.util.Optional::stream)
        .toList();
  }

  private static void assertGone(List<ProcessHandle> processes) throws Exception {
    for (ProcessHandle p : processes) {
      p.onExit().get(10, TimeUnit.SECONDS);
      assertThat(p.isAlive()).as("pid %s", p.pid()).isFalse();
    }
  }
}
