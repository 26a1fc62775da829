package dev.ferry.migration;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.common.Json;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class MigrationRecordJsonTest {
  private static final ObjectMapper JSON = Json.strict();

  @Test
  void statesWithTheirDataSurviveTheWireAndTheJournal() throws Exception {
    MigrationState[] states = {
      new MigrationState.Preflight(),
      new MigrationState.Preparing(MigrationStateMachineTest.COPYING),
      new MigrationState.Mirroring(
          new Setup(
              MigrationStateMachineTest.COPYING,
              MigrationStateMachineTest.OFFER,
              MigrationStateMachineTest.MEASURED)),
      new MigrationState.PreCopy(MigrationStateMachineTest.SETUP, 3, true),
      new MigrationState.Switchover(MigrationStateMachineTest.SETUP),
      new MigrationState.Handover(MigrationStateMachineTest.PLAN, 2),
      new MigrationState.Cleanup(MigrationStateMachineTest.PLAN, 2),
      new MigrationState.RollingBack(
          MigrationPhase.DISK_MIRROR, false, "mirror failed", MigrationStateMachineTest.COPYING),
      new MigrationState.Completed(2),
      new MigrationState.Aborted(MigrationPhase.PRECOPY, "operator"),
      new MigrationState.Failed(MigrationPhase.HANDOVER, "unconfirmed")
    };
    for (MigrationState s : states) {
      String wire = JSON.writeValueAsString(s);
      assertThat(wire).as(s.label()).contains("\"name\":\"" + s.label() + "\"");
      assertThat(JSON.readValue(wire, MigrationState.class)).as(wire).isEqualTo(s);
    }
  }

  @Test
  void aRecordMovesThroughItsWithersAndRoundTrips() throws Exception {
    Instant t = Instant.parse("2026-12-02T10:00:00Z");
    MigrationRecord r =
        MigrationRecord.begin(
                MigrationId.random(), "vm1", "host-a", "host-b", t, MigrationSettings.defaults())
            .withState(
                new MigrationState.Preparing(MigrationStateMachineTest.PLAN),
                t.plusSeconds(1),
                "ok")
            .withNote(t.plusSeconds(2), "measured")
            .withMeasured(MigrationStateMachineTest.MEASURED)
            .withWarning("careful")
            .withState(new MigrationState.Completed(5), t.plusSeconds(4), "done");
    assertThat(r.endedAt()).contains(t.plusSeconds(4));
    assertThat(r.durationMs()).contains(4000L);
    assertThat(r.epoch()).contains(5L);
    assertThat(r.transitions())
        .extracting(MigrationRecord.Transition::to)
        .containsExactly("preparing", "preparing", "completed");
    assertThat(r.phases()).containsKeys(MigrationPhase.PREFLIGHT, MigrationPhase.PREPARE);
    assertThat(JSON.readValue(JSON.writeValueAsString(r), MigrationRecord.class)).isEqualTo(r);
  }

  @Test
  void aCompletedStateFromBeforeStatesCarriedDataIsStillRead() throws Exception {
    assertThat(Json.lenient().readValue("{\"name\":\"completed\"}", MigrationState.class))
        .isEqualTo(new MigrationState.Completed(0));
  }
}
