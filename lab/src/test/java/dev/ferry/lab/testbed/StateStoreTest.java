package dev.ferry.lab.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {
  @TempDir Path dir;

  private final TestbedSpec spec =
      TestbedSpec.named("st").withHosts(2).withSubnetIndex(9).withStateRoot(Path.of("/run/st"));

  @Test
  void stateSurvivesARoundTripThroughTheFile() {
    TestbedState state =
        TestbedState.planned(spec, Instant.parse("2026-11-25T10:00:00Z"))
            .withAgent("host-b", 4242, List.of("ferry-agent", "--port", "7700"))
            .withPhase(TestbedState.Phase.READY);
    Path file = dir.resolve("testbed.json");

    StateStore.write(file, state);

    assertThat(StateStore.read(file)).contains(state);
    assertThat(dir.resolve("testbed.json.tmp")).doesNotExist();
  }

  @Test
  void theFileNamesEveryNamespaceBeforeAnythingExists() throws Exception {
    Path file = dir.resolve("testbed.json");
    StateStore.write(file, TestbedState.planned(spec, Instant.now()));

    String json = Files.readString(file);

    assertThat(json)
        .contains("\"version\" : 1", "\"phase\" : \"BUILDING\"")
        .contains("st-fabric", "st-host-a", "st-host-b", "st-client", "198.18.9.11")
        .contains("/run/st/st/host-a/agent.sock");
  }

  @Test
  void aMissingFileIsNoState() {
    assertThat(StateStore.read(dir.resolve("absent.json"))).isEmpty();
  }

  @Test
  void anotherVersionIsRefusedWithBothVersionsNamed() {
    String json = "{\"version\": 2, \"name\": \"st\"}";

    assertThatThrownBy(() -> StateStore.parse(json, Path.of("/x/testbed.json")))
        .hasMessageContaining("/x/testbed.json")
        .hasMessageContaining("version 2")
        .hasMessageContaining("reads version 1");
  }

  @Test
  void unknownFieldsAreRefused() throws Exception {
    Path file = dir.resolve("testbed.json");
    StateStore.write(file, TestbedState.planned(spec, Instant.now()));
    String json = Files.readString(file).replaceFirst("\\{", "{ \"surprise\": true,");

    assertThatThrownBy(() -> StateStore.parse(json, Path.of("/x/testbed.json")))
        .hasMessageContaining("not valid")
        .hasMessageContaining("surprise");
  }
}
