package dev.ferry.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import dev.ferry.migration.MigrationEvent.AbortRequested;
import dev.ferry.migration.MigrationEvent.CleanedUp;
import dev.ferry.migration.MigrationEvent.DestinationPrepared;
import dev.ferry.migration.MigrationEvent.Fault;
import dev.ferry.migration.MigrationEvent.HandedOver;
import dev.ferry.migration.MigrationEvent.HandoverRefused;
import dev.ferry.migration.MigrationEvent.HandoverUnknown;
import dev.ferry.migration.MigrationEvent.PassStarted;
import dev.ferry.migration.MigrationEvent.PostcopyLost;
import dev.ferry.migration.MigrationEvent.PostcopyStarted;
import dev.ferry.migration.MigrationEvent.PostcopySwitched;
import dev.ferry.migration.MigrationEvent.PreSwitchoverReached;
import dev.ferry.migration.MigrationEvent.PreflightPassed;
import dev.ferry.migration.MigrationEvent.RolledBack;
import dev.ferry.migration.MigrationEvent.StreamCompleted;
import dev.ferry.migration.MigrationState.Aborted;
import dev.ferry.migration.MigrationState.Cleanup;
import dev.ferry.migration.MigrationState.Completed;
import dev.ferry.migration.MigrationState.Failed;
import dev.ferry.migration.MigrationState.Handover;
import dev.ferry.migration.MigrationState.Mirroring;
import dev.ferry.migration.MigrationState.PreCopy;
import dev.ferry.migration.MigrationState.Preflight;
import dev.ferry.migration.MigrationState.Preparing;
import dev.ferry.migration.MigrationState.RollingBack;
import dev.ferry.migration.MigrationState.Switchover;
import dev.ferry.qemu.DiskFormat;
import dev.ferry.qemu.DiskSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MigrationStateMachineTest {
  static final Plan PLAN = new Plan(1, List.of("events"), List.of());
  static final Plan COPYING =
      new Plan(
          1,
          List.of("events"),
          List.of(
              new Plan.DiskCopy(
                  new DiskSpec(
                      "disk0", Path.of("/var/lib/ferry/images/d.qcow2"), DiskFormat.QCOW2, false),
                  ByteSize.ofMiB(64),
                  ByteSize.ofMiB(1))));
  static final Measured MEASURED =
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
          Duration.ofSeconds(30));
  static final Offer OFFER =
      new Offer(new dev.ferry.qmp.MigrationUri.Tcp("198.18.0.11", 49152), Optional.empty());
  static final Setup SETUP = new Setup(PLAN, OFFER, MEASURED);

  static Fault fault(String why) {
    return new Fault(new MigrationProblem.Unexpected(why));
  }

  private static MigrationState run(MigrationState s, MigrationEvent... events) {
    for (MigrationEvent e : events) {
      s = MigrationStateMachine.next(s, e);
    }
    return s;
  }

  @Test
  void happyPathVisitsEveryPhaseInOrder() {
    MigrationState s = new Preflight();
    List<MigrationEvent> events =
        List.of(
            new PreflightPassed(PLAN),
            new DestinationPrepared(OFFER, MEASURED),
            new PassStarted(2),
            new PassStarted(3),
            new PreSwitchoverReached(),
            new StreamCompleted(),
            new HandedOver(2),
            new CleanedUp());
    MigrationPhase last = s.phase();
    for (MigrationEvent e : events) {
      s = MigrationStateMachine.next(s, e);
      assertThat(s.phase().ordinal()).isGreaterThanOrEqualTo(last.ordinal());
      last = s.phase();
    }
    assertThat(s).isEqualTo(new Completed(2));
  }

  @Test
  void passNumberNeverGoesBack() {
    MigrationState s = run(new PreCopy(SETUP, 5, false), new PassStarted(3));
    assertThat(s).isEqualTo(new PreCopy(SETUP, 5, false));
  }

  @Test
  void abortIsLegalInEveryStateBeforeHandoverAndRollsBack() {
    for (MigrationState s :
        List.of(
            new Preflight(),
            new Preparing(PLAN),
            new Mirroring(new Setup(COPYING, OFFER, MEASURED)),
            new PreCopy(SETUP, 3, false),
            new Switchover(SETUP))) {
      MigrationState r = MigrationStateMachine.next(s, new AbortRequested("operator"));
      assertThat(r)
          .isEqualTo(
              new RollingBack(s.phase(), true, "operator", s.workingPlan().orElse(Plan.none(0))));
      assertThat(MigrationStateMachine.abortable(s)).isTrue();
      assertThat(MigrationStateMachine.next(r, new RolledBack()))
          .isEqualTo(new Aborted(s.phase(), "operator"));
    }
  }

  @Test
  void abortIsIdempotent() {
    MigrationState rolling = run(new PreCopy(SETUP, 1, false), new AbortRequested("a"));
    assertThat(MigrationStateMachine.next(rolling, new AbortRequested("b"))).isEqualTo(rolling);
    MigrationState aborted = MigrationStateMachine.next(rolling, new RolledBack());
    assertThat(MigrationStateMachine.next(aborted, new AbortRequested("c"))).isEqualTo(aborted);
  }

  @Test
  void abortAfterHandoverIsRefusedWithTheReason() {
    for (MigrationState s :
        List.of(new Handover(PLAN, 2), new Cleanup(PLAN, 2), new PreCopy(SETUP, 4, true))) {
      assertThat(MigrationStateMachine.abortable(s)).isFalse();
      assertThatThrownBy(() -> MigrationStateMachine.next(s, new AbortRequested("late")))
          .isInstanceOf(IllegalTransitionException.class)
          .hasMessageContaining(s.label())
          .hasMessageFindingMatch("no longer possible|already runs");
    }
  }

  @Test
  void faultBeforeHandoverRollsBackToAFailureNamingPhaseAndCause() {
    MigrationState s =
        run(new PreCopy(SETUP, 2, false), fault("destination QEMU exited"), new RolledBack());
    assertThat(s).isEqualTo(new Failed(MigrationPhase.PRECOPY, "destination QEMU exited"));
  }

  @Test
  void handoverOutcomeUnknownNeverRollsBack() {
    MigrationState s = run(new Handover(PLAN, 2), new HandoverUnknown("destination unreachable"));
    assertThat(s).isInstanceOf(Failed.class);
    assertThat(((Failed) s).cause()).contains("kept paused on the source");
    assertThat(run(new Handover(PLAN, 2), new HandoverRefused("no")))
        .isInstanceOf(RollingBack.class);
  }

  @Test
  void cleanupTroubleStillCompletes() {
    assertThat(run(new Cleanup(PLAN, 2), fault("tap busy"))).isEqualTo(new Completed(2));
  }

  @Test
  void faultDuringPostcopyFailsWithoutRollback() {
    MigrationState s = run(new PreCopy(SETUP, 3, false), new PostcopyStarted(), fault("link down"));
    assertThat(s).isInstanceOf(Failed.class);
    assertThat(((Failed) s).phase()).isEqualTo(MigrationPhase.PRECOPY);
    assertThat(((Failed) s).cause()).contains("link down").contains("split between hosts");
  }

  @Test
  void terminalStatesTakeNothing() {
    assertThatThrownBy(() -> MigrationStateMachine.next(new Completed(2), new PassStarted(1)))
        .isInstanceOf(IllegalTransitionException.class)
        .hasMessageContaining("completed");
    assertThatThrownBy(
            () ->
                MigrationStateMachine.next(
                    new Failed(MigrationPhase.PREPARE, "x"), new RolledBack()))
        .isInstanceOf(IllegalTransitionException.class);
  }

  @Test
  void unexpectedEventNamesStateAndEvent() {
    assertThatThrownBy(() -> MigrationStateMachine.next(new Preflight(), new StreamCompleted()))
        .isInstanceOf(IllegalTransitionException.class)
        .hasMessageContaining("preflight")
        .hasMessageContaining("StreamCompleted");
  }

  @Test
  void aPlanWithDisksToCopyMirrorsBeforePreCopyAndTheSetupTravelsOn() {
    MigrationState s =
        run(
            new Preflight(),
            new PreflightPassed(COPYING),
            new DestinationPrepared(OFFER, MEASURED));
    assertThat(s).isEqualTo(new Mirroring(new Setup(COPYING, OFFER, MEASURED)));
    s =
        run(
            s,
            new MigrationEvent.MirrorsReady(),
            new PreSwitchoverReached(),
            new StreamCompleted());
    assertThat(s).isEqualTo(new Handover(COPYING, 2));
  }

  @Test
  void aRollbackCarriesThePlanSoItKnowsWhatToUndo() {
    MigrationState s =
        run(new Mirroring(new Setup(COPYING, OFFER, MEASURED)), fault("mirror failed"));
    assertThat(s).isInstanceOf(RollingBack.class);
    assertThat(((RollingBack) s).plan().copies()).hasSize(1);
    assertThat(((RollingBack) s).from()).isEqualTo(MigrationPhase.DISK_MIRROR);
  }

  /** Every (state, event) pair is either a defined transition or a refusal that names both. */
  @Test
  void everyStateEventPairIsDecidedExplicitly() {
    List<MigrationState> states =
        List.of(
            new Preflight(),
            new Preparing(PLAN),
            new Mirroring(new Setup(COPYING, OFFER, MEASURED)),
            new PreCopy(SETUP, 1, false),
            new PreCopy(SETUP, 2, true),
            new Switchover(SETUP),
            new Handover(PLAN, 2),
            new Cleanup(PLAN, 2),
            new RollingBack(MigrationPhase.PRECOPY, true, "x", PLAN),
            new Completed(2),
            new Aborted(MigrationPhase.PRECOPY, "x"),
            new Failed(MigrationPhase.PRECOPY, "x"));
    List<MigrationEvent> events =
        List.of(
            new PreflightPassed(PLAN),
            new DestinationPrepared(OFFER, MEASURED),
            new MigrationEvent.MirrorsReady(),
            new PassStarted(2),
            new PostcopyStarted(),
            new PreSwitchoverReached(),
            new StreamCompleted(),
            new HandedOver(2),
            new HandoverRefused("no"),
            new HandoverUnknown("?"),
            new CleanedUp(),
            new AbortRequested("op"),
            fault("boom"),
            new RolledBack());
    int accepted = 0;
    for (MigrationState s : states) {
      for (MigrationEvent e : events) {
        if (MigrationStateMachine.accepts(s, e)) {
          accepted++;
          MigrationState to = MigrationStateMachine.next(s, e);
          assertThat(to).as("%s + %s", s, e).isNotNull();
          if (to instanceof RollingBack r) {
            assertThat(r.plan())
                .as("%s + %s keeps the plan", s, e)
                .isEqualTo(s.workingPlan().orElse(Plan.none(0)));
          }
        } else {
          assertThatThrownBy(() -> MigrationStateMachine.next(s, e))
              .isInstanceOf(IllegalTransitionException.class)
              .hasMessageContaining(s.label())
              .hasMessageContaining(e.getClass().getSimpleName());
        }
        // Abort is decided by abortable(): accepted exactly where it is legal (or idempotent).
        if (e instanceof AbortRequested) {
          boolean idempotent = s instanceof RollingBack || s instanceof Aborted;
          assertThat(MigrationStateMachine.accepts(s, e))
              .as("abort in %s", s.label())
              .isEqualTo(MigrationStateMachine.abortable(s) || idempotent);
        }
        // A fault before handover always leads to a rollback, never straight to a terminal state.
        if (e instanceof Fault
            && !(s instanceof RollingBack)
            && MigrationStateMachine.abortable(s)) {
          assertThat(MigrationStateMachine.next(s, e)).isInstanceOf(RollingBack.class);
        }
      }
    }
    assertThat(accepted).as("defined transitions").isEqualTo(32);
  }

  @Test
  void aSwitchToPostcopyGoesToHandoverAtOnceSoTheDestinationRunsTheGuestWhileTheMemoryStreams() {
    assertThat(
            run(new PreCopy(SETUP, 3, false), new PreSwitchoverReached(), new PostcopySwitched()))
        .isEqualTo(new Handover(PLAN, 2));
    assertThat(run(new PreCopy(SETUP, 3, false), new PostcopySwitched()))
        .as("without pause-before-switchover")
        .isEqualTo(new Handover(PLAN, 2));
  }

  @Test
  void aPostcopyThatCannotBeFinishedFailsTheMigrationInCleanupWithItsCause() {
    MigrationState s =
        run(new Cleanup(PLAN, 2), new PostcopyLost("post-copy lost: the destination QEMU is gone"));
    assertThat(s)
        .isEqualTo(
            new Failed(MigrationPhase.CLEANUP, "post-copy lost: the destination QEMU is gone"));
  }
}
