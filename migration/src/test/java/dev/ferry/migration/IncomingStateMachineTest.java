package dev.ferry.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.migration.IncomingEvent.Discard;
import dev.ferry.migration.IncomingEvent.TakeoverFailed;
import dev.ferry.migration.IncomingEvent.TakeoverRequested;
import dev.ferry.migration.IncomingEvent.TookOver;
import dev.ferry.migration.IncomingState.Discarded;
import dev.ferry.migration.IncomingState.HandedOver;
import dev.ferry.migration.IncomingState.Receiving;
import dev.ferry.migration.IncomingState.TakingOver;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class IncomingStateMachineTest {
  private static final Receiving RECEIVING =
      new Receiving(List.of(Path.of("/var/lib/ferry/images/d.qcow2")), List.of("export-disk0"));

  @Test
  void aTakeoverGoesThroughTakingOverToHandedOverAndRepeatsIdempotently() {
    IncomingState s = IncomingStateMachine.next(RECEIVING, new TakeoverRequested(3));
    assertThat(s).isEqualTo(new TakingOver(3, RECEIVING));
    s = IncomingStateMachine.next(s, new TookOver());
    assertThat(s).isEqualTo(new HandedOver(3));
    assertThat(IncomingStateMachine.next(s, new TakeoverRequested(3))).isEqualTo(s);
    assertThatThrownBy(() -> IncomingStateMachine.next(new HandedOver(3), new TakeoverRequested(4)))
        .isInstanceOf(IncomingStateMachine.Refused.class)
        .hasMessageContaining("handed over with epoch 3");
  }

  @Test
  void aFailedTakeoverGoesBackToReceivingWithWhatItCreated() {
    IncomingState s =
        IncomingStateMachine.next(
            IncomingStateMachine.next(RECEIVING, new TakeoverRequested(3)),
            new TakeoverFailed("cont failed"));
    assertThat(s).isEqualTo(RECEIVING);
  }

  @Test
  void aSideBeingTakenOverOrHandedOverCannotBeDiscarded() {
    assertThatThrownBy(
            () -> IncomingStateMachine.next(new TakingOver(3, RECEIVING), new Discard("abort")))
        .isInstanceOf(IncomingStateMachine.Refused.class)
        .hasMessageContaining("being taken over");
    assertThatThrownBy(() -> IncomingStateMachine.next(new HandedOver(3), new Discard("abort")))
        .isInstanceOf(IncomingStateMachine.Refused.class);
  }

  @Test
  void discardIsIdempotentAndFinal() {
    IncomingState d = IncomingStateMachine.next(RECEIVING, new Discard("source went silent"));
    assertThat(d).isEqualTo(new Discarded("source went silent"));
    assertThat(d.terminal()).isTrue();
    assertThat(IncomingStateMachine.next(d, new Discard("again"))).isEqualTo(d);
    assertThatThrownBy(() -> IncomingStateMachine.next(d, new TakeoverRequested(2)))
        .hasMessageContaining("discarded: source went silent");
  }

  @Test
  void everyStateEventPairIsDecidedExplicitly() {
    List<IncomingState> states =
        List.of(RECEIVING, new TakingOver(3, RECEIVING), new HandedOver(3), new Discarded("x"));
    List<IncomingEvent> events =
        List.of(
            new TakeoverRequested(3),
            new TakeoverRequested(4),
            new TookOver(),
            new TakeoverFailed("x"),
            new Discard("y"));
    int accepted = 0;
    for (IncomingState s : states) {
      for (IncomingEvent e : events) {
        try {
          assertThat(IncomingStateMachine.next(s, e)).isNotNull();
          accepted++;
        } catch (IncomingStateMachine.Refused r) {
          assertThat(r).hasMessageContaining(s.label());
        }
      }
    }
    assertThat(accepted).isEqualTo(8);
  }
}
