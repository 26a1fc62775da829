package dev.ferry.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.migration.MigrationEvent.AbortRequested;
import dev.ferry.migration.MigrationEvent.CleanedUp;
import dev.ferry.migration.MigrationEvent.DestinationPrepared;
import dev.ferry.migration.MigrationEvent.Fault;
import dev.ferry.migration.MigrationEvent.HandedOver;
import dev.ferry.migration.MigrationEvent.HandoverRefused;
import dev.ferry.migration.MigrationEvent.HandoverUnknown;
import dev.ferry.migration.MigrationEvent.PassStarted;
import dev.ferry.migration.MigrationEvent.PostcopyStarted;
import dev.ferry.migration.MigrationEvent.PreSwitchoverReached;
import dev.ferry.migration.MigrationEvent.PreflightPassed;
import dev.ferry.migration.MigrationEvent.RolledBack;
import dev.ferry.migration.MigrationEvent.StreamCompleted;
import dev.ferry.migration.MigrationState.Aborted;
import dev.ferry.migration.MigrationState.Cleanup;
import dev.ferry.migration.MigrationState.Completed;
import dev.ferry.migration.MigrationState.Failed;
import dev.ferry.migration.MigrationState.Handover;
import dev.ferry.migration.MigrationState.PreCopy;
import dev.ferry.migration.MigrationState.Preflight;
import dev.ferry.migration.MigrationState.Preparing;
import dev.ferry.migration.MigrationState.RollingBack;
import dev.ferry.migration.MigrationState.Switchover;
import java.util.List;
import org.junit.jupiter.api.Test;

class MigrationStateMachineTest {
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
            new PreflightPassed(),
            new DestinationPrepared("tcp:198.18.0.11:49152"),
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
    assertThat(s).isEqualTo(new Completed());
  }

  @Test
  void passNumberNeverGoesBack() {
    MigrationState s = run(new PreCopy(5, false), new PassStarted(3));
    assertThat(s).isEqualTo(new PreCopy(5, false));
  }

  @Test
  void abortIsLegalInEveryStateBeforeHandoverAndRollsBack() {
    for (MigrationState s :
        List.of(new Preflight(), new Preparing(), new PreCopy(3, false), new Switchover())) {
      MigrationState r = MigrationStateMachine.next(s, new AbortRequested("operator"));
      assertThat(r).isEqualTo(new RollingBack(s.phase(), true, "operator"));
      assertThat(MigrationStateMachine.abortable(s)).isTrue();
      assertThat(MigrationStateMachine.next(r, new RolledBack()))
          .isEqualTo(new Aborted(s.phase(), "operator"));
    }
  }

  @Test
  void abortIsIdempotent() {
    MigrationState rolling = run(new PreCopy(1, false), new AbortRequested("a"));
    assertThat(MigrationStateMachine.next(rolling, new AbortRequested("b"))).isEqualTo(rolling);
    MigrationState aborted = MigrationStateMachine.next(rolling, new RolledBack());
    assertThat(MigrationStateMachine.next(aborted, new AbortRequested("c"))).isEqualTo(aborted);
  }

  @Test
  void abortAfterHandoverIsRefusedWithTheReason() {
    for (MigrationState s : List.of(new Handover(), new Cleanup(), new PreCopy(4, true))) {
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
        run(new PreCopy(2, false), new Fault("destination QEMU exited"), new RolledBack());
    assertThat(s).isEqualTo(new Failed(MigrationPhase.PRECOPY, "destination QEMU exited"));
  }

  @Test
  void handoverOutcomeUnknownNeverRollsBack() {
    MigrationState s = run(new Handover(), new HandoverUnknown("destination unreachable"));
    assertThat(s).isInstanceOf(Failed.class);
    assertThat(((Failed) s).cause()).contains("kept paused on the source");
    assertThat(run(new Handover(), new HandoverRefused("no"))).isInstanceOf(RollingBack.class);
  }

  @Test
  void cleanupTroubleStillCompletes() {
    assertThat(run(new Cleanup(), new Fault("tap busy"))).isEqualTo(new Completed());
  }

  @Test
  void faultDuringPostcopyFailsWithoutRollback() {
    MigrationState s = run(new PreCopy(3, false), new PostcopyStarted(), new Fault("link down"));
    assertThat(s).isInstanceOf(Failed.class);
  }

  @Test
  void terminalStatesTakeNothing() {
    assertThatThrownBy(() -> MigrationStateMachine.next(new Completed(), new PassStarted(1)))
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
}
