package dev.ferry.agent.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.agent.AgentException;
import dev.ferry.api.ManagerBinding;
import dev.ferry.common.Persisted;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manager binding survives restarts as a state file; nothing about it is guessed. */
class ManagerLinkTest {
  private static final String URL = "http://198.18.77.2:7800";

  @TempDir Path dir;

  @Test
  void aBindingIsWrittenAsAStateFileAndReadBackAfterARestart() throws Exception {
    try (ManagerLink link = new ManagerLink("host-a", dir)) {
      link.bind(new ManagerBinding(Optional.of(URL), "host-a"));
    }
    assertThat(Files.readString(dir.resolve("manager.json")))
        .startsWith("ferry-state kind=manager-binding version=2 ");
    try (ManagerLink again = new ManagerLink("host-a", dir)) {
      assertThat(again.binding().url()).contains(URL);
    }
  }

  @Test
  void aBindingWrittenBeforeStateFilesHadAHeaderIsStillRead() throws Exception {
    Files.writeString(
        dir.resolve("manager.json"), "{\"url\":\"" + URL + "\",\"hostName\":\"host-a\"}");
    try (ManagerLink link = new ManagerLink("host-a", dir)) {
      assertThat(link.binding().url()).contains(URL);
    }
  }

  @Test
  void aCorruptBindingStopsTheAgentFromStartingWithTheFileNamed() throws Exception {
    try (ManagerLink link = new ManagerLink("host-a", dir)) {
      link.bind(new ManagerBinding(Optional.of(URL), "host-a"));
    }
    Path file = dir.resolve("manager.json");
    Files.writeString(file, Files.readString(file).replace("7800", "7801"));

    assertThatThrownBy(() -> new ManagerLink("host-a", dir))
        .isInstanceOf(Persisted.Corrupt.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("checksum mismatch");
  }

  @Test
  void aBindingThatCannotBeWrittenChangesNothing() throws Exception {
    try (ManagerLink link = new ManagerLink("host-a", dir)) {
      Files.createDirectories(dir.resolve("manager.json.tmp"));
      assertThatThrownBy(() -> link.bind(new ManagerBinding(Optional.of(URL), "host-a")))
          .isInstanceOf(AgentException.Failed.class)
          .hasMessageContaining("cannot bind to the manager")
          .hasMessageContaining("manager.json");
      assertThat(link.binding().url()).isEmpty();
    }
  }
}
