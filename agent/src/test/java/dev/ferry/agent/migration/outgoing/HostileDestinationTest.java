package dev.ferry.agent.migration.outgoing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.migration.MigrationId;
import dev.ferry.migration.MigrationPhase;
import dev.ferry.migration.MigrationRecord;
import dev.ferry.migration.MigrationState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A destination is a peer, not a friend: whatever it offers as the stream's address, the source's
 * QEMU connects only to the destination agent's own address, or the migration is refused in
 * prepare, the VM stays where it runs and no {@code migrate} reaches QEMU.
 */
@Timeout(30)
class HostileDestinationTest {
  @TempDir Path dir;
  OutgoingMigrationTestEnv env;

  @BeforeEach
  void up() throws Exception {
    env = new OutgoingMigrationTestEnv(dir);
  }

  @AfterEach
  void down() throws Exception {
    env.close();
  }

  private MigrationRecord refused() {
    MigrationRecord r = env.awaitEnd(env.start().id().value());
    assertThat(r.state()).as("%s", r.transitions()).isInstanceOf(MigrationState.Failed.class);
    assertThat(r.error().orElseThrow().phase()).isEqualTo(MigrationPhase.PREPARE);
    assertThat(r.error().orElseThrow().cause()).contains("refused the offer");
    assertThat(env.handle.endings).containsExactly("rolled back");
    assertThat(env.qemu.receivedCommand("migrate")).as("no stream was started").isFalse();
    assertThat(env.dest.called("abort")).as("the destination is told to drop its side").isTrue();
    return r;
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "exec:touch %s",
        "exec:sh -c 'touch %s'",
        "fd:3",
        "file:%s",
        "rdma:127.0.0.1:4444",
        "unix:%s",
        "tcp:127.0.0.1:49152,ipv4=on"
      })
  void anyTransportButTcpIsRefusedAndNothingRuns(String template) throws Exception {
    Path marker = dir.resolve("ran");
    env.dest.offeredUri = template.formatted(marker);
    MigrationRecord r = refused();
    assertThat(r.error().orElseThrow().cause()).doesNotContain("could not prepare");
    assertThat(Files.exists(marker)).as("nothing ran, nothing was written").isFalse();
  }

  @Test
  void aStreamToAnotherHostIsRefusedNamingBothAddresses() {
    env.dest.offeredUri = "tcp:198.18.0.99:4444";
    MigrationRecord r = refused();
    assertThat(r.error().orElseThrow().cause())
        .contains("'198.18.0.99'")
        .contains("its agent is at 127.0.0.1");
  }

  @Test
  void anOfferForAnotherMigrationIsRefused() {
    env.dest.offeredFor = Optional.of(new MigrationId("m-0123456789ab"));
    assertThat(refused().error().orElseThrow().cause()).contains("m-0123456789ab");
  }

  @Test
  void anNbdServerOnAnotherHostIsRefusedBeforeAnyDiskIsMirrored() {
    env.dest.disksVisible = false;
    env.dest.offeredNbdHost = "198.18.0.99";
    MigrationRecord r = refused();
    assertThat(r.error().orElseThrow().cause()).contains("NBD server").contains("198.18.0.99");
    assertThat(env.qemu.receivedCommand("blockdev-add")).isFalse();
    assertThat(env.qemu.receivedCommand("blockdev-mirror")).isFalse();
  }

  @Test
  void aNameForTheAgentsAddressIsStillAnotherAddress() {
    env.dest.offeredUri = "tcp:LOCALHOST:49152";
    assertThat(refused().error().orElseThrow().cause()).contains("'localhost'");
  }

  @Test
  void aGoodOfferStreamsToTheAgentsAddressAndThePortOffered() {
    MigrationRecord r = env.awaitEnd(env.start().id().value());
    assertThat(r.state()).as("%s", r.transitions()).isInstanceOf(MigrationState.Completed.class);
    assertThat(env.qemu.received())
        .filteredOn(q -> q.command().equals("migrate"))
        .singleElement()
        .satisfies(
            q -> assertThat(q.arguments().get("uri").asText()).isEqualTo("tcp:127.0.0.1:49152"));
  }
}
