package dev.ferry.agent.migration.outgoing;

import dev.ferry.migration.MigrationEvent;
import dev.ferry.migration.MigrationProblem;
import dev.ferry.migration.Plan;

/**
 * Preflight: checks both hosts and settles the {@link Plan} (capabilities, disks to copy). Touches
 * nothing, so a refusal needs no undoing. Runs on the requesting thread: its refusal is the
 * request's answer.
 */
final class PreflightPhase {
  Step run(PhaseContext ctx) {
    try {
      Plan plan = new PreflightChecks(ctx).run();
      return new Step(
          new MigrationEvent.PreflightPassed(plan),
          "checks passed on both hosts; capabilities " + String.join(",", plan.capabilities()));
    } catch (PreflightChecks.Refused e) {
      return Step.fault(new MigrationProblem.Refused(e.getMessage()));
    }
  }
}
