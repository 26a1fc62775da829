package dev.ferry.manager.balance;

import java.util.Objects;

/**
 * Initial placement: picks the host a new VM starts on, by the same rules as every move here
 * (compatible, schedulable, memory under the headroom, affinity, anti-affinity, mandatory host
 * groups, then preferred host groups, then the least loaded host once it arrives). A pinned VM goes
 * to its pinned host or nowhere.
 */
public final class Placement {

  private Placement() {}

  /** Where {@code vm} should start in {@code snapshot}, or why it cannot. */
  public static PlacementDecision choose(ClusterSnapshot snapshot, NewVm vm) {
    Objects.requireNonNull(snapshot, "snapshot must not be null");
    Objects.requireNonNull(vm, "vm must not be null");
    ClusterModel model = ClusterModel.of(snapshot);
    int existing = model.vmIndex(vm.name());
    if (existing >= 0) {
      return new PlacementDecision.Refused(
          "a VM named "
              + vm.name()
              + " already exists on "
              + model.hostName(model.hostOf(existing)));
    }
    Subject s =
        model
            .rules()
            .subjectForNew(model, vm, model.vmIndexes(), model.compatIndex(vm.compatibility()));
    String what = vm.name() + " (" + Format.bytes(vm.memoryBytes()) + ")";
    if (s.conflict() != null) {
      return new PlacementDecision.Refused("cannot place " + what + ": " + s.conflict());
    }
    if (vm.pinnedHost().isPresent()) {
      String pinned = vm.pinnedHost().get();
      int p = model.hostIndex(pinned);
      if (p < 0) {
        return new PlacementDecision.Refused(
            what + " is pinned to " + pinned + ", which is not in the cluster");
      }
      Why why = model.check(s, p);
      if (why != null) {
        return new PlacementDecision.Refused(
            what
                + " is pinned to "
                + pinned
                + ", which cannot take it: "
                + pinned
                + ": "
                + model.describe(why, s, p));
      }
      return new PlacementDecision.Placed(
          pinned, "pinned to " + HostChooser.describeDestination(model, s, p));
    }
    HostChooser.Choice choice = HostChooser.choose(model, s, null, null);
    if (!choice.found()) {
      return new PlacementDecision.Refused(
          "no host can take " + what + ": " + choice.rejected().render());
    }
    int d = choice.host();
    StringBuilder reason =
        new StringBuilder(HostChooser.describeDestination(model, s, d))
            .append(": the least loaded host that fits it");
    if (s.allowed() != null) {
      reason.append(" in mandatory host group ").append(String.join(", ", s.allowedBy()));
    }
    if (s.together() != null) {
      reason.append(", with the rest of affinity rule ").append(String.join(", ", s.togetherBy()));
    }
    if (s.preferredRules().length > 0 && model.preferredMisses(s, d) == 0) {
      reason.append(", in its preferred host group");
    }
    return new PlacementDecision.Placed(model.hostName(d), reason.toString());
  }
}
