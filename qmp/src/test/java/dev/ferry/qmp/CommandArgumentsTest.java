package dev.ferry.qmp;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Values QEMU would refuse are refused when the command is built, with a message saying why. */
class CommandArgumentsTest {

  @Test
  void migrationUriNeedsATransport() {
    assertThatThrownBy(() -> new MigrationCommand.Migrate("198.18.0.2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only tcp:HOST:PORT and unix:PATH");
    assertThatThrownBy(() -> new MigrationCommand.MigrateIncoming(" "))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void capabilityNamesAreKebabCase() {
    assertThatThrownBy(() -> MigrationCapability.of("Postcopy RAM"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Postcopy RAM");
    assertThatThrownBy(() -> new MigrationCommand.MigrateSetCapabilities(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void nodeNamesFollowQemusRules() {
    assertThatThrownBy(() -> new BlockCommand.BlockdevDel("1disk"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("start with a letter");
    assertThatThrownBy(() -> new BlockNode.Qcow2("disk 0", "f"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new BlockNode.File("a".repeat(32), Path.of("/x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("longer than 31");
  }

  @Test
  void otherNodeCannotSmuggleItsOwnDriverOrName() {
    var options = JsonNodeFactory.instance.objectNode().put("driver", "file");
    assertThatThrownBy(
            () -> new BlockNode.Other("n0", "null-co", options, BlockNode.NodeOptions.DEFAULTS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'driver'");
  }

  @Test
  void portsAndRatesAndSizesAreInRange() {
    assertThatThrownBy(() -> new SocketAddress.Inet("h", 70_000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("70000");
    assertThatThrownBy(() -> DataRate.ofBytesPerSecond(-1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ByteSize(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void calcDirtyRateTakesWholeSeconds() {
    assertThatThrownBy(() -> new MigrationCommand.CalcDirtyRate(Duration.ofMillis(1500)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("whole number of seconds");
    assertThatThrownBy(() -> new MigrationCommand.CalcDirtyRate(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parameterBuilderChecksDocumentedRanges() {
    assertThatThrownBy(() -> MigrationParameters.builder().cpuThrottle(120, 10, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("percentage");
    assertThatThrownBy(() -> MigrationParameters.builder().multifdChannels(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MigrationParameters.builder().downtimeLimit(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void optionalsMustNotBeNull() {
    assertThatThrownBy(
            () ->
                new BlockCommand.BlockdevMirror(
                    "j",
                    "d",
                    "t",
                    BlockCommand.BlockdevMirror.SyncMode.FULL,
                    null,
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("speed");
  }

  @Test
  void optionsRejectNonPositiveTimeouts() {
    assertThatThrownBy(() -> QmpOptions.defaults().withCommandTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("commandTimeout");
  }
}
