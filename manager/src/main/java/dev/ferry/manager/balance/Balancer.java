package dev.ferry.manager.balance;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Proposes live migrations that even out load across a cluster, like VMware DRS: first the moves
 * that repair broken rules, then greedy balancing moves worth their migration cost. Pure: it reads
 * a snapshot and returns a plan; applying the plan is the caller's job. See the package
 * documentation for the model and the algorithm.
 */
public final class Balancer {

  private Balancer() {}

  /**
   * One balancing pass over {@code snapshot}.
   *
   * @param now the time the no-repeat window is measured back from
   * @return the moves to make, in order, with the imbalance before and after and notes on what was
   *     held back; an empty plan with a note when the mode is OFF
   */
  public static BalancePlan recommend(
      ClusterSnapshot snapshot, BalancerSettings settings, Instant now) {
    Objects.requireNonNull(snapshot, "snapshot must not be null");
    Objects.requireNonNull(settings, "settings must not be null");
    Objects.requireNonNull(now, "now must not be null");
    ClusterModel model = ClusterModel.of(snapshot);
    double before = model.imbalanceExact();
    if (settings.mode() == BalancerSettings.Mode.OFF) {
      return new BalancePlan(
          before, before, List.of(), List.of("balancing is off (mode OFF): nothing proposed"));
    }
    Pass pass = new Pass(model, snapshot, settings, now);
    new RuleFixer(pass).run();
    new GreedyBalancing(pass).run();
    int held = pass.heldBack();
    if (held > 0) {
      pass.note(
          held
              + " VM(s) moved within the last "
              + Format.duration(settings.noRepeatWindow())
              + " and are not moved again yet");
    }
    return new BalancePlan(before, model.imbalanceExact(), pass.moves(), pass.notes());
  }
}
