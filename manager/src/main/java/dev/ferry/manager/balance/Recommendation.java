package dev.ferry.manager.balance;

/**
 * One proposed live migration.
 *
 * <p>{@code benefit} is how much the move lowers the cluster's imbalance, measured as the drop in
 * the sum over schedulable hosts of (load − mean load)², i.e. hosts × variance: unlike the standard
 * deviation itself it does not shrink as the cluster grows, so one threshold fits every cluster
 * size. {@code cost} is the migration's estimated duration in the same units ({@link
 * MigrationCost}); a balancing move is proposed only when benefit − cost reaches {@link
 * BalancerSettings#minimumNetBenefit()}. For a VM that moves with its affinity group, both are the
 * whole group's.
 *
 * @param vm the VM to move
 * @param from the host it is on
 * @param to the host to move it to
 * @param benefit imbalance reduction (see above); may be negative for a rule fix
 * @param cost estimated migration cost in benefit units
 * @param reason one sentence for an operator: why this VM, why there, and what it changes
 */
public record Recommendation(
    String vm, String from, String to, double benefit, double cost, String reason) {
  public Recommendation {
    Checks.name(vm, "recommendation: vm");
    Checks.name(from, "recommendation of " + vm + ": from");
    Checks.name(to, "recommendation of " + vm + ": to");
    Checks.name(reason, "recommendation of " + vm + ": reason");
  }
}
