package dev.ferry.manager.balance;

import java.util.List;

/**
 * What one balancing pass proposes: rule fixes first, then balancing moves in the order they were
 * chosen (apply them in order: each assumes the ones before it).
 *
 * @param imbalanceBefore standard deviation of host load over schedulable hosts now
 * @param imbalanceAfter the same once every move is applied
 * @param moves the proposed migrations
 * @param notes things an operator should know: why nothing more was proposed, rules that could not
 *     be fixed, VMs held back
 */
public record BalancePlan(
    double imbalanceBefore, double imbalanceAfter, List<Recommendation> moves, List<String> notes) {
  public BalancePlan {
    moves = List.copyOf(moves);
    notes = List.copyOf(notes);
  }

  /** True when nothing is proposed. */
  public boolean isEmpty() {
    return moves.isEmpty();
  }
}
