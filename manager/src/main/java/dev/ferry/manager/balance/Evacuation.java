package dev.ferry.manager.balance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Plans a maintenance-mode evacuation: a destination for every VM on a host, as if that host were
 * already unschedulable.
 *
 * <p>VMs are placed largest memory first (first-fit decreasing packs best), each on the host {@link
 * HostChooser} picks: compatible, schedulable, with room under the memory headroom, not breaking
 * affinity, anti-affinity or a mandatory host group, inside its preferred host groups if possible,
 * and otherwise the one least loaded once the VM arrives, so load spreads. Each placement is
 * applied to a working model before the next, so capacity and anti-affinity account for the earlier
 * ones. An affinity group on the host moves as one to one host (to where the rest of the group
 * runs, if some of it runs elsewhere). The plan's moves are then ordered longest migration first.
 *
 * <p>Unlike balancing, evacuation ignores the no-repeat window: maintenance needs the host empty. A
 * VM that is not movable is reported as {@link EvacuationPlan#STOPPED}; a movable VM with no
 * destination is reported with what each host lacked.
 */
public final class Evacuation {

  private Evacuation() {}

  /** The plan at the default link rate of 1 GiB/s. */
  public static EvacuationPlan plan(ClusterSnapshot snapshot, String host) {
    return plan(snapshot, host, BalancerSettings.DEFAULT_LINK_BYTES_PER_SECOND);
  }

  /**
   * The plan to empty {@code host}.
   *
   * @param linkBytesPerSecond the assumed migration link rate, for the time estimates and order
   * @throws IllegalArgumentException when the host is not in the snapshot
   */
  public static EvacuationPlan plan(
      ClusterSnapshot snapshot, String host, long linkBytesPerSecond) {
    Objects.requireNonNull(snapshot, "snapshot must not be null");
    Objects.requireNonNull(host, "host must not be null");
    if (linkBytesPerSecond <= 0) {
      throw new IllegalArgumentException(
          "linkBytesPerSecond must be positive, got " + linkBytesPerSecond);
    }
    ClusterModel model = ClusterModel.of(snapshot, Set.of(host));
    int h = model.hostIndex(host);
    if (h < 0) {
      throw new IllegalArgumentException("unknown host " + host);
    }
    RuleIndex rules = model.rules();
    List<Integer> onHost = new ArrayList<>(model.vmsOn(h));
    onHost.sort(
        Comparator.comparingLong((Integer v) -> -model.vm(v).memoryBytes())
            .thenComparing(v -> model.vm(v).name()));
    List<EvacuationPlan.Move> moves = new ArrayList<>();
    List<EvacuationPlan.Unplaceable> stuck = new ArrayList<>();
    BitSet handled = new BitSet();
    for (int v : onHost) {
      if (handled.get(v)) {
        continue;
      }
      if (!model.vm(v).movable()) {
        handled.set(v);
        stuck.add(new EvacuationPlan.Unplaceable(model.vm(v).name(), EvacuationPlan.STOPPED));
        continue;
      }
      int c = rules.component(v);
      int[] unit =
          c < 0
              ? new int[] {v}
              : Arrays.stream(rules.componentMembers(c))
                  .filter(m -> model.hostOf(m) == h)
                  .toArray();
      for (int m : unit) {
        handled.set(m);
      }
      String reasonStuck = stoppedPartner(model, unit);
      Subject s = rules.subject(model, unit, h);
      if (reasonStuck == null && s.conflict() != null) {
        reasonStuck = s.conflict();
      }
      if (reasonStuck == null) {
        HostChooser.Choice choice = HostChooser.choose(model, s, null, null);
        if (choice.found()) {
          place(model, s, unit, choice.host(), linkBytesPerSecond, moves);
          continue;
        }
        reasonStuck =
            "no host can take "
                + (unit.length == 1 ? "it" : "its " + s.label())
                + " ("
                + Format.bytes(s.memory())
                + ", compatibility "
                + s.compatibility()
                + "): "
                + choice.rejected().render();
      }
      for (int m : unit) {
        if (model.vm(m).movable()) {
          stuck.add(new EvacuationPlan.Unplaceable(model.vm(m).name(), reasonStuck));
        } else {
          stuck.add(new EvacuationPlan.Unplaceable(model.vm(m).name(), EvacuationPlan.STOPPED));
        }
      }
    }
    moves.sort(
        Comparator.comparing(
                (EvacuationPlan.Move m) ->
                    m.estimatedTime().orElse(Duration.ofSeconds(Long.MAX_VALUE)))
            .reversed()
            .thenComparing(EvacuationPlan.Move::vm));
    return new EvacuationPlan(moves, stuck);
  }

  /** Why an affinity group cannot leave: one of its VMs here is stopped (null when none is). */
  private static String stoppedPartner(ClusterModel model, int[] unit) {
    for (int m : unit) {
      if (!model.vm(m).movable()) {
        return "affinity rule "
            + String.join("+", model.rules().componentRules(model.rules().component(m)))
            + " ties it to "
            + model.vm(m).name()
            + ", which is stopped";
      }
    }
    return null;
  }

  private static void place(
      ClusterModel model,
      Subject s,
      int[] unit,
      int d,
      long link,
      List<EvacuationPlan.Move> moves) {
    StringBuilder why = new StringBuilder();
    why.append(HostChooser.describeDestination(model, s, d));
    if (unit.length > 1) {
      why.append(" with its ").append(s.label());
    }
    why.append(": the least loaded compatible host with room");
    if (s.allowed() != null) {
      why.append(" in mandatory host group ").append(String.join(", ", s.allowedBy()));
    }
    if (s.together() != null) {
      why.append(", where affinity rule ")
          .append(String.join(", ", s.togetherBy()))
          .append(" keeps the rest of its group");
    }
    if (s.preferredRules().length > 0 && model.preferredMisses(s, d) == 0) {
      why.append(", in its preferred host group");
    }
    String from = model.hostName(model.hostOf(unit[0]));
    for (int m : unit) {
      VmLoad vm = model.vm(m);
      double seconds = MigrationCost.seconds(vm.memoryBytes(), vm.dirtyBytesPerSecond(), link);
      Optional<Duration> time =
          Double.isInfinite(seconds)
              ? Optional.empty()
              : Optional.of(Duration.ofMillis((long) Math.ceil(seconds * 1000)));
      String text = why.toString();
      if (time.isEmpty()) {
        text += "; it dirties memory as fast as the link sends, so it may need throttling";
      }
      moves.add(
          new EvacuationPlan.Move(
              vm.name(), from, model.hostName(d), vm.memoryBytes(), time, text));
    }
    for (int m : unit) {
      model.move(m, d);
    }
  }
}
