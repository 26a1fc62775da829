package dev.ferry.migration;

import dev.ferry.migration.IncomingEvent.Discard;
import dev.ferry.migration.IncomingEvent.TakeoverFailed;
import dev.ferry.migration.IncomingEvent.TakeoverRequested;
import dev.ferry.migration.IncomingEvent.TookOver;
import dev.ferry.migration.IncomingState.Discarded;
import dev.ferry.migration.IncomingState.HandedOver;
import dev.ferry.migration.IncomingState.Receiving;
import dev.ferry.migration.IncomingState.TakingOver;

/**
 * The destination side's one transition function: pure and total over (state, event). Once the
 * takeover has begun the side can no longer be discarded (the guest may run here); once handed
 * over, only a repeat of the same takeover is accepted (idempotent handover).
 */
public final class IncomingStateMachine {
  private IncomingStateMachine() {}

  /** Thrown for an event the state does not take; the message says why (for a 409). */
  public static final class Refused extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    Refused(IncomingState state, IncomingEvent event, String why) {
      super("incoming side in state " + state.label() + " cannot take " + event + ": " + why);
    }
  }

  public static IncomingState next(IncomingState state, IncomingEvent event) {
    return switch (state) {
      case Receiving r ->
          switch (event) {
            case TakeoverRequested t -> new TakingOver(t.epoch(), r);
            case Discard d -> new Discarded(d.why());
            case TookOver t -> throw new Refused(state, event, "no takeover was requested");
            case TakeoverFailed f -> throw new Refused(state, event, "no takeover was requested");
          };
      case TakingOver t ->
          switch (event) {
            case TookOver o -> new HandedOver(t.epoch());
            case TakeoverFailed f -> t.receiving();
            case TakeoverRequested again when again.epoch() == t.epoch() -> t;
            case TakeoverRequested other ->
                throw new Refused(state, event, "already taking over with epoch " + t.epoch());
            case Discard d -> throw new Refused(state, event, "the VM is being taken over here");
          };
      case HandedOver h ->
          switch (event) {
            case TakeoverRequested again when again.epoch() == h.epoch() -> h;
            default -> throw new Refused(state, event, "handed over with epoch " + h.epoch());
          };
      case Discarded d ->
          switch (event) {
            case Discard again -> d;
            default -> throw new Refused(state, event, "discarded: " + d.why());
          };
    };
  }
}
