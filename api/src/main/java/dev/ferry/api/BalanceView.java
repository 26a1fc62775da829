package dev.ferry.api;

import java.time.Instant;
import java.util.List;

/**
 * What the balancer thinks of the cluster now ({@code GET /v1/balance}).
 *
 * @param mode off, manual (an operator applies) or automatic (the manager applies)
 * @param aggressiveness 1 (only large gains) to 5 (even small gains)
 * @param imbalance standard deviation of host load (max of CPU and memory share) now
 * @param imbalanceAfter the same if every recommendation were applied
 * @param recommendations proposed migrations, in the order to apply them
 * @param notes why nothing more was proposed, rules that cannot be fixed, VMs held back
 * @param at when this was computed
 */
public record BalanceView(
    String mode,
    int aggressiveness,
    double imbalance,
    double imbalanceAfter,
    List<Move> recommendations,
    List<String> notes,
    Instant at) {

  /**
   * @param vm the VM
   * @param from where it is
   * @param to where it should go
   * @param benefit imbalance reduction
   * @param cost estimated migration cost, in the same units
   * @param reason one sentence for the operator
   */
  public record Move(
      String vm, String from, String to, double benefit, double cost, String reason) {}
}
