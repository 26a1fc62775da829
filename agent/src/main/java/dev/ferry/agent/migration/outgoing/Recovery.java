package dev.ferry.agent.migration.outgoing;

import dev.ferry.api.IncomingStatus;
import dev.ferry.migration.MigrationEvent;
import dev.ferry.migration.MigrationProblem;
import dev.ferry.migration.MigrationState;
import java.util.Optional;

/**
 * After an agent restart: what the journal's last state means now. A migration caught before
 * handover is rolled back (its stream died with nobody driving it); one in handover asks the
 * destination whether it took over, and otherwise hands over again; a rollback or a cleanup simply
 * runs again (both are idempotent). The runner then goes on from there as usual.
 */
final class Recovery {
  private Recovery() {}

  /** The step the journal's state needs first, or empty to run its phase again. */
  static Optional<Step> firstStep(PhaseContext ctx, MigrationState state) {
    ctx.journal().warn("the source agent restarted during " + state.phase().text());
    switch (state) {
      case MigrationState.Handover h -> {
        Optional<IncomingStatus> st = HandoverPhase.statusQuietly(ctx);
        if (st.isPresent() && st.get().state() == IncomingStatus.State.HANDED_OVER) {
          return Optional.of(
              new Step(
                  new MigrationEvent.HandedOver(st.get().epoch().orElse(h.epoch())),
                  "handover confirmed after restart"));
        }
        return Optional.empty();
      }
      case MigrationState.Cleanup c -> {
        return Optional.empty();
      }
      case MigrationState.RollingBack r -> {
        return Optional.empty();
      }
      default -> {
        Step fault = Step.fault(new MigrationProblem.SourceRestarted(state.phase()));
        return Optional.of(new Step(fault.event(), "rolling back after restart"));
      }
    }
  }
}
