package dev.ferry.agent.migration.outgoing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.agent.AgentException;
import dev.ferry.agent.cluster.LeaseOutcome;
import dev.ferry.agent.cluster.LeaseReclaim;
import dev.ferry.api.Lease;
import dev.ferry.migration.MigrationPhase;
import dev.ferry.migration.MigrationRecord;
import dev.ferry.migration.MigrationSettings;
import dev.ferry.migration.MigrationState;
import dev.ferry.migration.TimeoutAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One test per phase of the outgoing engine for an abort in that phase, a fault in that phase, and
 * the record it leaves — against a fake source QEMU and a fake destination agent on real sockets.
 */
@Timeout(30)
class OutgoingPhasesTest {
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

  private String id(MigrationRecord r) {
    return r.id().value();
  }

  private static MigrationSettings withTimeout(Duration t, TimeoutAction action) {
    MigrationSettings d = MigrationSettings.defaults();
    return new MigrationSettings(
        d.bandwidth(),
        d.initialDowntime(),
        d.maxDowntime(),
        1,
        d.autoConverge(),
        false,
        Optional.of(t),
        action,
        false,
        false);
  }

  /** The VM ended where it started: running on the source, the destination told to forget it. */
  private void assertRolledBack(MigrationRecord r) {
    assertThat(env.handle.endings).as("%s", r.transitions()).containsExactly("rolled back");
    assertThat(env.forgotten).isEmpty();
  }

  @Test
  void theSourceQemuGetsExactlyThePlansCapabilitiesEvenIfAnEarlierIncomingLeftOthersOn() {
    MigrationRecord r = env.awaitEnd(id(env.start()));
    assertThat(r.state()).as("%s", r.transitions()).isInstanceOf(MigrationState.Completed.class);
    String set =
        env.qemu.received().stream()
            .filter(q -> q.command().equals("migrate-set-capabilities"))
            .findFirst()
            .orElseThrow()
            .arguments()
            .toString();
    assertThat(set)
        .contains("{\"capability\":\"postcopy-ram\",\"state\":false}")
        .contains("{\"capability\":\"events\",\"state\":true}");
  }

  @Test
  void aMigrationWalksEveryPhaseInOrderAndRecordsItsFigures() {
    MigrationRecord r = env.awaitEnd(id(env.start()));
    assertThat(r.state()).as("%s", r.transitions()).isEqualTo(new MigrationState.Completed(5));
    assertThat(r.transitions())
        .extracting(MigrationRecord.Transition::to)
        .containsSubsequence(
            "preparing", "precopy", "switchover", "handover", "cleanup", "completed");
    assertThat(r.phases())
        .containsKeys(
            MigrationPhase.PREFLIGHT,
            MigrationPhase.PREPARE,
            MigrationPhase.PRECOPY,
            MigrationPhase.SWITCHOVER,
            MigrationPhase.HANDOVER,
            MigrationPhase.CLEANUP);
    assertThat(r.downtimeMs()).contains(12L);
    assertThat(r.bytesTransferred()).isPresent();
    assertThat(r.prediction()).isPresent();
    assertThat(r.epoch()).contains(5L);
    assertThat(r.progress().orElseThrow().percent()).isEqualTo(100.0);
    assertThat(env.handle.endings).containsExactly("released to host-b at epoch 5");
    assertThat(env.forgotten).containsExactly("vm1");
    assertThat(env.dest.calls).containsSubsequence("host", "check", "prepare", "handover");
    assertThat(env.dest.called("abort")).isFalse();
    assertThat(dir.resolve("state/migrations/" + id(r) + ".outgoing.json")).doesNotExist();
  }

  @Test
  void aJournalThatCannotBeWrittenRollsTheMigrationBackInsteadOfGoingOn() throws Exception {
    env.qemu.holdPrecopy(true);
    String id = id(env.start());
    env.awaitCopying(id, MigrationPhase.PRECOPY);
    Path journal = dir.resolve("state/migrations/" + id + ".json");
    Files.delete(journal);
    Files.createDirectories(journal.resolve("blocked"));
    env.qemu.emit("MIGRATION_PASS", "{\"pass\":2}");
    MigrationRecord r = env.awaitEnd(id);
    assertThat(r.state()).isInstanceOf(MigrationState.Failed.class);
    assertThat(r.error().orElseThrow().cause()).contains("cannot journal the migration");
    assertRolledBack(r);
    assertThat(env.qemu.receivedCommand("migrate_cancel")).isTrue();
  }

  @Nested
  class Preflight {
    @Test
    void aRefusalNamesTheReasonTouchesNothingAndIsRecordedAsFailedInPreflight() {
      env.dest.checkProblem = Optional.of("bridge 'br9' does not exist (on host-b)");
      assertThatThrownBy(env::start)
          .isInstanceOf(AgentException.Conflict.class)
          .hasMessageContaining("refused in preflight")
          .hasMessageContaining("bridge 'br9' does not exist");
      MigrationRecord r = env.migrations.list().getFirst();
      assertThat(r.state()).isInstanceOf(MigrationState.Failed.class);
      assertThat(r.error().orElseThrow().phase()).isEqualTo(MigrationPhase.PREFLIGHT);
      assertThat(r.transitions().getLast().why()).isEqualTo("nothing was changed");
      assertRolledBack(r);
      assertThat(env.dest.called("prepare")).isFalse();
      assertThat(env.dest.called("abort")).as("nothing to remove on the destination").isFalse();
      assertThat(env.qemu.receivedCommand("migrate")).isFalse();
    }

    @Test
    void anUnreachableDestinationIsARefusalNamingIt() {
      env.dest.die();
      assertThatThrownBy(env::start)
          .isInstanceOf(AgentException.Conflict.class)
          .hasMessageContaining("destination agent host-b does not answer");
      assertRolledBack(env.migrations.list().getFirst());
    }

    @Test
    void theRecordListsTheCapabilitiesBothEndsUse() {
      MigrationRecord r = env.start();
      assertThat(r.transitions())
          .anyMatch(
              t ->
                  t.to().equals("preparing")
                      && t.why().contains("checks passed on both hosts")
                      && t.why().contains("pause-before-switchover"));
      env.awaitEnd(id(r));
    }
  }

  @Nested
  class Prepare {
    @Test
    void aDestinationThatCannotPrepareFailsThePrepareAndTheVmStays() {
      env.dest.refusePrepare = true;
      MigrationRecord r = env.awaitEnd(id(env.start()));
      assertThat(r.state()).isInstanceOf(MigrationState.Failed.class);
      assertThat(r.error().orElseThrow().phase()).isEqualTo(MigrationPhase.PREPARE);
      assertThat(r.error().orElseThrow().cause()).contains("could not prepare").contains("no room");
      assertRolledBack(r);
      assertThat(env.qemu.receivedCommand("migrate")).isFalse();
    }

    @Test
    void anAbortRightAfterTheRequestEndsInPrepareWithoutStartingTheStream() {
      MigrationRecord started = env.start();
      MigrationRecord r = env.migrations.abort(id(started), "operator");
      r = env.awaitEnd(id(r));
      assertThat(r.state())
          .isEqualTo(new MigrationState.Aborted(MigrationPhase.PREPARE, "operator"));
      assertRolledBack(r);
      assertThat(env.qemu.receivedCommand("migrate")).isFalse();
    }

    @Test
    void theRecordNotesTheMeasurementsAndThePrediction() {
      MigrationRecord r = env.awaitEnd(id(env.start()));
      assertThat(r.transitions())
          .anyMatch(t -> t.why().startsWith("measured dirty rate") && t.why().contains("link"))
          .anyMatch(t -> t.to().equals("precopy") && t.why().contains("destination listens on"));
      assertThat(r.budget()).isPresent();
    }
  }

  @Nested
  class DiskMirror {
    @BeforeEach
    void copyTheDisk() {
      env.dest.disksVisible = false;
    }

    @Test
    void aCopiedDiskIsMirroredCompletedAtSwitchoverAndItsSourceRemoved() {
      MigrationRecord r = env.awaitEnd(id(env.start()));
      assertThat(r.state()).as("%s", r.transitions()).isInstanceOf(MigrationState.Completed.class);
      assertThat(r.transitions()).extracting(MigrationRecord.Transition::to).contains("mirroring");
      assertThat(env.qemu.received())
          .filteredOn(q -> q.command().equals("block-job-cancel"))
          .singleElement()
          .satisfies(
              q -> assertThat(q.arguments().has("force")).as("completed, not forced").isFalse());
      assertThat(env.qemu.nodes()).as("NBD node removed").isEmpty();
      assertThat(env.disk).as("source copy removed after handover").doesNotExist();
    }

    @Test
    void anAbortWhileMirroringCancelsTheMirrorRemovesTheNodeAndKeepsTheSourceDisk() {
      env.qemu.mirrorsNeverReady();
      String id = id(env.start());
      env.awaitCopying(id, MigrationPhase.DISK_MIRROR);
      env.migrations.abort(id, "operator");
      MigrationRecord r = env.awaitEnd(id);
      assertThat(r.state())
          .isEqualTo(new MigrationState.Aborted(MigrationPhase.DISK_MIRROR, "operator"));
      assertThat(env.qemu.jobs()).isEmpty();
      assertThat(env.qemu.nodes()).isEmpty();
      assertThat(env.dest.called("abort")).isTrue();
      assertThat(env.disk).exists();
      assertRolledBack(r);
    }

    @Test
    void aMirrorThatFailsFailsThePhaseNamingTheJob() throws Exception {
      env.qemu.mirrorsNeverReady();
      String id = id(env.start());
      env.awaitCopying(id, MigrationPhase.DISK_MIRROR);
      env.qemu.emit(
          "BLOCK_JOB_COMPLETED",
          "{\"type\":\"mirror\",\"device\":\"mirror-disk0\",\"len\":1,\"offset\":0,\"speed\":0,"
              + "\"error\":\"Input/output error\"}");
      MigrationRecord r = env.awaitEnd(id);
      assertThat(r.state()).isInstanceOf(MigrationState.Failed.class);
      assertThat(r.error().orElseThrow().phase()).isEqualTo(MigrationPhase.DISK_MIRROR);
      assertThat(r.error().orElseThrow().cause())
          .contains("disk mirror mirror-disk0 stopped: Input/output error");
      assertThat(env.qemu.nodes()).isEmpty();
      assertRolledBack(r);
    }

    @Test
    void aMirrorThatMovesNothingForTheStallTimeoutFails() {
      env.qemu.mirrorsNeverReady();
      String id = id(env.start());
      env.awaitCopying(id, MigrationPhase.DISK_MIRROR);
      env.clock.advance(env.timings.stallTimeout().plusSeconds(1));
      MigrationRecord r = env.awaitEnd(id);
      assertThat(r.error().orElseThrow().cause())
          .contains("disk mirror moved no data for 30 s (network to host-b cut?)");
      assertRolledBack(r);
    }
  }

  @Nested
  class PreCopy {
    @Test
    void anAbortInPreCopyCancelsTheStreamAndTheVmStays() {
      env.qemu.holdPrecopy(true);
      String id = id(env.start());
      env.awaitCopying(id, MigrationPhase.PRECOPY);
      MigrationRecord r = env.migrations.abort(id, "operator");
      r = env.awaitEnd(id);
      assertThat(r.state())
          .isEqualTo(new MigrationState.Aborted(MigrationPhase.PRECOPY, "operator"));
      assertThat(env.qemu.receivedCommand("migrate_cancel")).isTrue();
      assertThat(env.qemu.status()).isEqualTo("cancelled");
      assertThat(env.dest.called("abort")).isTrue();
      assertRolledBack(r);
      assertThat(env.migrations.abort(id, "again").state()).as("idempotent").isEqualTo(r.state());
    }

    @Test
    void aFailedStreamFailsThePhaseWithQemusReason() {
      env.qemu.failAt("pre-switchover");
      MigrationRecord r = env.awaitEnd(id(env.start()));
      assertThat(r.error().orElseThrow().phase()).isEqualTo(MigrationPhase.PRECOPY);
      assertThat(r.error().orElseThrow().cause())
          .contains("QEMU reports the migration failed: Unable to write to socket");
      assertRolledBack(r);
    }

    @Test
    void aStreamThatMovesNothingForTheStallTimeoutFailsNamingTheDestination() {
      env.qemu.stallStream();
      String id = id(env.start());
      env.awaitCopying(id, MigrationPhase.PRECOPY);
      env.clock.advance(env.timings.stallTimeout().plusSeconds(1));
      MigrationRecord r = env.awaitEnd(id);
      assertThat(r.error().orElseThrow().cause()).contains("moved no data").contains("host-b");
      assertRolledBack(r);
    }

    @Test
    void anExhaustedBudgetWithTheAbortActionAbortsNamingTheBudget() {
      env.qemu.holdPrecopy(true);
      String id = id(env.start(withTimeout(Duration.ofSeconds(10), TimeoutAction.ABORT)));
      env.awaitCopying(id, MigrationPhase.PRECOPY);
      env.clock.advance(Duration.ofSeconds(11));
      MigrationRecord r = env.awaitEnd(id);
      assertThat(r.state()).isInstanceOf(MigrationState.Aborted.class);
      assertThat(r.error().orElseThrow().cause()).contains("time budget");
      assertRolledBack(r);
    }

    @Test
    void aDestinationThatLosesTheMigrationFailsItAndTheVmStays() {
      env.qemu.holdPrecopy(true);
      String id = id(env.start());
      env.awaitCopying(id, MigrationPhase.PRECOPY);
      env.dest.keepAliveNotFound = true;
      MigrationRecord r = env.awaitEnd(id);
      assertThat(r.error().orElseThrow().cause()).contains("no longer knows the migration");
      assertRolledBack(r);
    }

    @Test
    void aDeadDestinationAgentFailsItAndTheRecordSaysItsWatchdogCleansUp() {
      env.qemu.holdPrecopy(true);
      String id = id(env.start());
      env.awaitCopying(id, MigrationPhase.PRECOPY);
      env.dest.die();
      MigrationRecord r = env.awaitEnd(id);
      assertThat(r.error().orElseThrow().cause()).contains("destination agent host-b unreachable");
      assertThat(r.warnings()).anyMatch(w -> w.contains("removes its side itself"));
      assertRolledBack(r);
    }

    @Test
    void passesAreRecordedAndBandwidthChangesReachQemuLive() throws Exception {
      env.qemu.holdPrecopy(true);
      String id = id(env.start());
      env.awaitCopying(id, MigrationPhase.PRECOPY);
      env.qemu.emit("MIGRATION_PASS", "{\"pass\":2}");
      env.awaitRecord(id, r -> r.state() instanceof MigrationState.PreCopy p && p.pass() == 2);
      env.migrations.setBandwidth(id, dev.ferry.common.DataRate.ofMebibytesPerSecond(50));
      MigrationRecord r =
          env.awaitRecord(
              id, x -> x.transitions().stream().anyMatch(t -> t.why().contains("bandwidth cap")));
      assertThat(r.settings().bandwidth()).isPresent();
      env.qemu.holdPrecopy(false);
      r = env.awaitEnd(id);
      assertThat(r.state()).isInstanceOf(MigrationState.Completed.class);
      assertThat(r.passes()).isGreaterThanOrEqualTo(2);
    }
  }

  @Nested
  class Switchover {
    @Test
    void anAbortInSwitchoverCancelsAndResumesTheSource() {
      env.qemu.holdSwitchover();
      String id = id(env.start());
      env.awaitState(id, MigrationState.Switchover.class);
      env.migrations.abort(id, "operator");
      MigrationRecord r = env.awaitEnd(id);
      assertThat(r.state())
          .isEqualTo(new MigrationState.Aborted(MigrationPhase.SWITCHOVER, "operator"));
      assertThat(env.qemu.receivedCommand("migrate_cancel")).isTrue();
      assertRolledBack(r);
    }

    @Test
    void aSwitchoverThatFailsRollsBackWithQemusReason() {
      env.qemu.failAt("completed");
      MigrationRecord r = env.awaitEnd(id(env.start()));
      assertThat(r.error().orElseThrow().phase()).isEqualTo(MigrationPhase.SWITCHOVER);
      assertThat(r.error().orElseThrow().cause()).contains("QEMU reports the switchover failed");
      assertRolledBack(r);
    }

    @Test
    void aSwitchoverThatNeverCompletesFailsAtItsDeadline() {
      env.qemu.holdSwitchover();
      String id = id(env.start());
      env.awaitState(id, MigrationState.Switchover.class);
      env.clock.advance(env.timings.switchoverWait().plusSeconds(1));
      MigrationRecord r = env.awaitEnd(id);
      assertThat(r.error().orElseThrow().cause())
          .contains("switchover did not complete within 5 s");
      assertRolledBack(r);
    }
  }

  @Nested
  class Handover {
    @Test
    void aLeaseTheManagerRefusesRollsBackWithoutAskingTheDestination() {
      env.lease.set(new LeaseOutcome.Refused("the manager refused to move the lease: not yours"));
      env.reclaims.add(new LeaseReclaim.Reclaimed(OutgoingMigrationTestEnv.EPOCH));
      MigrationRecord r = env.awaitEnd(id(env.start()));
      assertThat(r.state()).isInstanceOf(MigrationState.Failed.class);
      assertThat(r.error().orElseThrow().phase()).isEqualTo(MigrationPhase.HANDOVER);
      assertThat(r.error().orElseThrow().cause())
          .contains("handover refused")
          .contains("not yours");
      assertThat(env.dest.called("handover")).isFalse();
      assertThat(env.handle.endings).containsExactly("reclaimed at epoch 4", "rolled back");
    }

    @Test
    void aDestinationThatRefusesTheHandoverRollsBack() {
      env.dest.handover = FakeDestinationAgent.Handover.REFUSE;
      MigrationRecord r = env.awaitEnd(id(env.start()));
      assertThat(r.error().orElseThrow().cause()).contains("handover refused");
      assertRolledBack(r);
    }

    @Test
    void anUnconfirmedHandoverKeepsTheGuestPausedAndNeverResumesIt() {
      env.dest.handover = FakeDestinationAgent.Handover.HANG;
      String id = id(env.start());
      env.awaitState(id, MigrationState.Handover.class);
      assertThatThrownBy(() -> env.migrations.abort(id, "late"))
          .isInstanceOf(AgentException.Conflict.class)
          .hasMessageContaining("abort is no longer possible");
      MigrationRecord r = env.awaitEnd(id);
      assertThat(r.state()).isInstanceOf(MigrationState.Failed.class);
      assertThat(r.error().orElseThrow().cause())
          .contains("handover to host-b unconfirmed")
          .contains("kept paused on the source");
      assertThat(env.handle.endings).containsExactly("kept paused");
      assertThat(r.warnings()).anyMatch(w -> w.contains("resume it only after making sure"));
    }

    @Test
    void aDestinationThatAnswers404RollsBackOnlyOnceTheManagerGaveTheLeaseBack() {
      env.dest.handover = FakeDestinationAgent.Handover.NOT_FOUND;
      env.reclaims.add(new LeaseReclaim.Unreachable("manager down"));
      env.reclaims.add(new LeaseReclaim.Unreachable("manager down"));
      env.reclaims.add(new LeaseReclaim.Reclaimed(OutgoingMigrationTestEnv.EPOCH + 2));
      MigrationRecord r = env.awaitEnd(id(env.start()));
      assertThat(r.error().orElseThrow().cause())
          .contains("handover refused")
          .contains("the lease is back with host-a at epoch 6");
      assertThat(env.handle.endings).containsExactly("reclaimed at epoch 6", "rolled back");
    }

    @Test
    void aReclaimTheManagerRefusesBecauseTheDestinationActivatedTheLeaseCompletesTheMigration() {
      env.dest.handover = FakeDestinationAgent.Handover.REFUSE;
      env.reclaims.add(
          new LeaseReclaim.HeldElsewhere(
              Optional.of(
                  Lease.active(
                      OutgoingMigrationTestEnv.VM,
                      "host-b",
                      OutgoingMigrationTestEnv.EPOCH + 1,
                      java.time.Instant.EPOCH)),
              "held by host-b"));
      MigrationRecord r = env.awaitEnd(id(env.start()));
      assertThat(r.state())
          .isEqualTo(new MigrationState.Completed(OutgoingMigrationTestEnv.EPOCH + 1));
      assertThat(env.handle.endings).containsExactly("released to host-b at epoch 5");
    }

    @Test
    void aLeaseHeldByAThirdHostKeepsTheGuestPausedHere() {
      env.dest.handover = FakeDestinationAgent.Handover.REFUSE;
      env.reclaims.add(
          new LeaseReclaim.HeldElsewhere(
              Optional.of(
                  new Lease(
                      OutgoingMigrationTestEnv.VM,
                      "host-b",
                      OutgoingMigrationTestEnv.EPOCH + 1,
                      java.time.Instant.EPOCH,
                      Optional.of("host-a"))),
              "pending"));
      MigrationRecord r = env.awaitEnd(id(env.start()));
      assertThat(r.state()).isInstanceOf(MigrationState.Failed.class);
      assertThat(r.error().orElseThrow().cause())
          .contains("will not give the lease back")
          .contains("pending from host-a");
      assertThat(env.handle.endings).containsExactly("kept paused");
    }

    @Test
    void standaloneADestinationWithNoRecordOfTheMigrationRollsBack() {
      env.dest.handover = FakeDestinationAgent.Handover.NOT_FOUND;
      MigrationRecord r = env.awaitEnd(id(env.start()));
      assertThat(r.error().orElseThrow().cause()).contains("the destination has no record of it");
      assertRolledBack(r);
    }

    @Test
    void theNewEpochIsRecordedOnceTheDestinationConfirms() {
      MigrationRecord r = env.awaitEnd(id(env.start()));
      assertThat(r.transitions())
          .anyMatch(t -> t.to().equals("cleanup") && t.why().contains("epoch 5"));
    }
  }

  @Nested
  class Cleanup {
    @Test
    void aCleanupProblemIsAWarningAndTheMigrationStillCompletes() {
      env.forgetFails = true;
      MigrationRecord r = env.awaitEnd(id(env.start()));
      assertThat(r.state()).isEqualTo(new MigrationState.Completed(5));
      assertThat(r.warnings())
          .anyMatch(w -> w.startsWith("cleanup on host-a: tap tap-vm1 is busy"));
      assertThat(env.handle.endings).containsExactly("released to host-b at epoch 5");
    }

    @Test
    void cleanupReleasesTheSourceAndForgetsTheVm() {
      MigrationRecord r = env.awaitEnd(id(env.start()));
      assertThat(r.state()).isInstanceOf(MigrationState.Completed.class);
      assertThat(env.handle.endings).containsExactly("released to host-b at epoch 5");
      assertThat(env.forgotten).containsExactly("vm1");
      assertThat(r.transitions().getLast().why())
          .isEqualTo("source QEMU and host resources released");
    }
  }
}
