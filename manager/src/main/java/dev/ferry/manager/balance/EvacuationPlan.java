package dev.ferry.manager.balance;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How to empty a host for maintenance: the moves, longest first, and the VMs that cannot go
 * anywhere, each with the reason.
 *
 * @param moves live migrations to run, ordered by estimated duration, longest first: started in
 *     this order on parallel workers the evacuation ends soonest (longest-processing-time first)
 * @param stuck VMs no host can take, with the reason; stopped VMs are listed here as "stopped"
 */
public record EvacuationPlan(List<Move> moves, List<Unplaceable> stuck) {

  /** The reason given for VMs that are not movable (stopped, or already migrating). */
  public static final String STOPPED = "stopped";

  public EvacuationPlan {
    moves = List.copyOf(moves);
    stuck = List.copyOf(stuck);
  }

  /** True when every VM has a destination: the host will be empty. */
  public boolean complete() {
    return stuck.isEmpty();
  }

  /**
   * One VM's migration off the host.
   *
   * @param vm the VM
   * @param from the host being evacuated
   * @param to its destination
   * @param memoryBytes its committed memory
   * @param estimatedTime how long the migration should take at the assumed link rate; empty when it
   *     dirties memory as fast as the link sends (it may need throttling to converge)
   * @param reason why this destination
   */
  public record Move(
      String vm,
      String from,
      String to,
      long memoryBytes,
      Optional<Duration> estimatedTime,
      String reason) {
    public Move {
      Objects.requireNonNull(estimatedTime, "estimatedTime must not be null");
    }
  }

  /**
   * A VM that cannot leave the host.
   *
   * @param vm the VM
   * @param reason why: {@link #STOPPED}, a rule, or what every candidate host lacked
   */
  public record Unplaceable(String vm, String reason) {}
}
