package dev.ferry.agent.migration.outgoing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import dev.ferry.migration.Measured;
import dev.ferry.migration.MigrationId;
import dev.ferry.migration.MigrationPhase;
import dev.ferry.migration.MigrationRecord;
import dev.ferry.migration.MigrationSettings;
import dev.ferry.migration.MigrationState;
import dev.ferry.migration.Offer;
import dev.ferry.migration.Plan;
import dev.ferry.migration.Prediction;
import dev.ferry.migration.Setup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recovery after a source agent restart, from the journal alone: each test writes the journal a
 * crashed agent would have left in one state and starts a fresh engine on it.
 */
@Timeout(30)
class OutgoingRecoveryTest {
  @TempDir Path dir;
  OutgoingMigrationTestEnv env;
  final MigrationId id = MigrationId.random();
  static final Plan PLAN = new Plan(4, List.of("events"), List.of());

  @BeforeEach
  void up() throws Exception {
    env = new OutgoingMigrationTestEnv(dir);
  }

  @AfterEach
  void down() throws Exception {
    env.close();
  }

  /** Journals {@code state} as a crashed agent would have, then starts the agent again. */
  private MigrationRecord crashedIn(MigrationState state) {
    OutgoingStore store = new OutgoingStore(dir.resolve("state"));
    Instant t = Instant.now();
    MigrationRecord r =
        MigrationRecord.begin(id, "vm1", "host-a", "host-b", t, MigrationSettings.defaults())
            .withState(state, t, "journalled before the crash");
    store.save(r);
    store.saveNotes(new OutgoingNotes(id.value(), "vm1", "host-b", env.dest.url(), true, 4));
    env.restartedEngine().recover();
    return env.awaitEnd(id.value());
  }

  private static Setup setup() {
    return new Setup(
        PLAN,
        new Offer(new dev.ferry.qmp.MigrationUri.Tcp("127.0.0.1", 49152), Optional.empty()),
        new Measured(
            DataRate.ZERO,
            DataRate.ofMebibytesPerSecond(100),
            new Prediction(
                ByteSize.ofMiB(256),
                DataRate.ZERO,
                DataRate.ofMebibytesPerSecond(100),
                true,
                Duration.ofSeconds(3),
                Duration.ofMillis(50),
                1,
                "fine"),
            Duration.ofSeconds(30)));
  }

  @Test
  void aMigrationCaughtInPreCopyIsRolledBackAndTheDestinationToldToForgetIt() {
    MigrationRecord r = crashedIn(new MigrationState.PreCopy(setup(), 2, false));
    assertThat(r.state()).isInstanceOf(MigrationState.Failed.class);
    assertThat(r.error().orElseThrow().phase()).isEqualTo(MigrationPhase.PRECOPY);
    assertThat(r.error().orElseThrow().cause()).contains("source agent restarted during precopy");
    assertThat(env.handle.endings).containsExactly("rolled back");
    assertThat(env.dest.called("abort")).isTrue();
    assertThat(r.warnings()).anyMatch(w -> w.contains("restarted during precopy"));
    assertThat(dir.resolve("state/migrations/" + id + ".outgoing.json")).doesNotExist();
  }

  @Test
  void aHandoverTheDestinationConfirmedIsFinishedNeverRolledBack() {
    env.dest.handover = FakeDestinationAgent.Handover.ACCEPT;
    // The destination took over before the crash: its status says so.
    env.engine();
    new dev.ferry.api.AgentClient(
            dev.ferry.api.AgentEndpoint.parse(env.dest.url()), Duration.ofSeconds(1))
        .handover(id.value(), 5);
    MigrationRecord r = crashedIn(new MigrationState.Handover(PLAN, 5));
    assertThat(r.state()).isEqualTo(new MigrationState.Completed(5));
    assertThat(r.transitions()).anyMatch(t -> t.why().equals("handover confirmed after restart"));
    assertThat(env.handle.endings).containsExactly("released to host-b at epoch 5");
    assertThat(env.dest.called("abort")).isFalse();
  }

  @Test
  void aHandoverWithoutAnAnswerIsRetriedFromTheJournal() {
    MigrationRecord r = crashedIn(new MigrationState.Handover(PLAN, 5));
    assertThat(r.state()).isEqualTo(new MigrationState.Completed(5));
    assertThat(env.dest.calls).contains("handover");
    assertThat(env.handle.endings).containsExactly("released to host-b at epoch 5");
  }

  @Test
  void aCleanupIsRunAgainAndNeverResumesTheSource() {
    MigrationRecord r = crashedIn(new MigrationState.Cleanup(PLAN, 5));
    assertThat(r.state()).isEqualTo(new MigrationState.Completed(5));
    assertThat(env.handle.endings).containsExactly("released to host-b at epoch 5");
    assertThat(env.forgotten).containsExactly("vm1");
  }

  @Test
  void anInterruptedRollbackRunsAgainToItsEnd() {
    MigrationRecord r =
        crashedIn(new MigrationState.RollingBack(MigrationPhase.PRECOPY, true, "operator", PLAN));
    assertThat(r.state()).isEqualTo(new MigrationState.Aborted(MigrationPhase.PRECOPY, "operator"));
    assertThat(env.handle.endings).containsExactly("rolled back");
  }

  @Test
  void aJournalWithAFlippedByteIsNotTrustedAndNothingIsRecovered() throws Exception {
    OutgoingStore store = new OutgoingStore(dir.resolve("state"));
    Instant t = Instant.now();
    store.save(
        MigrationRecord.begin(id, "vm1", "host-a", "host-b", t, MigrationSettings.defaults()));
    Path f = dir.resolve("state/migrations/" + id + ".json");
    Files.writeString(f, Files.readString(f).replace("host-b", "host-c"));
    OutgoingMigrations restarted = env.restartedEngine();
    assertThat(restarted.list()).isEmpty();
  }

  @Test
  void aRecordFromBeforeTheJournalFormatIsReadWithItsOutcome() throws Exception {
    Path migrations = Files.createDirectories(dir.resolve("state/migrations"));
    Files.writeString(
        migrations.resolve("m-0123456789ab.json"),
        """
        {"formatVersion":1,"id":"m-0123456789ab","vm":"vm1","source":"host-a",
         "destination":"host-b","state":{"name":"completed"},
         "startedAt":"2026-11-20T10:00:00Z","endedAt":"2026-11-20T10:00:05Z",
         "phases":{},"settings":{"initialDowntime":"PT0.03S","maxDowntime":"PT0.5S",
         "multifdChannels":1,"autoConverge":true,"allowPostcopy":false,
         "timeoutAction":"abort","copyStorage":false,"keepSource":false},
         "passes":2,"transitions":[],"warnings":[],"epoch":7}
        """);
    Files.writeString(
        migrations.resolve("m-ba9876543210.json"),
        """
        {"formatVersion":1,"id":"m-ba9876543210","vm":"vm2","source":"host-a",
         "destination":"host-b","state":{"name":"precopy","pass":3,"postcopy":false},
         "startedAt":"2026-11-20T10:00:00Z","phases":{},
         "settings":{"initialDowntime":"PT0.03S","maxDowntime":"PT0.5S",
         "multifdChannels":1,"autoConverge":true,"allowPostcopy":false,
         "timeoutAction":"abort","copyStorage":false,"keepSource":false},
         "passes":2,"transitions":[],"warnings":[]}
        """);
    OutgoingMigrations restarted = env.restartedEngine();
    assertThat(restarted.get("m-0123456789ab").state()).isEqualTo(new MigrationState.Completed(7));
    assertThat(restarted.get("m-ba9876543210").state())
        .isInstanceOfSatisfying(
            MigrationState.Failed.class, f -> assertThat(f.cause()).contains("older agent"));
  }
}
