package dev.ferry.agent.migration.outgoing;

import dev.ferry.migration.MigrationEvent;
import dev.ferry.migration.MigrationProblem;
import java.util.Objects;

/**
 * How a phase ended: the event that leaves it and the reason the record shows for the transition.
 */
record Step(MigrationEvent event, String why) {
  Step {
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(why, "why");
  }

  static Step fault(MigrationProblem problem) {
    return new Step(new MigrationEvent.Fault(problem), "fault: " + problem.message());
  }

  static Step abort(String reason) {
    return new Step(new MigrationEvent.AbortRequested(reason), "abort: " + reason);
  }
}
