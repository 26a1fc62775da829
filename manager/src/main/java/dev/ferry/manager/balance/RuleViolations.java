package dev.ferry.manager.balance;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Finds the hard rules a snapshot breaks: affinity groups split over hosts, anti-affinity members
 * sharing a host, VMs outside a mandatory host group. Preferred host groups are wishes, not
 * violations, and are not reported. Rule members that do not exist are ignored.
 */
public final class RuleViolations {

  /**
   * One broken rule.
   *
   * @param rule the rule's name
   * @param description what is wrong, naming the VMs and hosts
   */
  public record Violation(String rule, String description) {}

  private RuleViolations() {}

  /** Every hard-rule violation in the snapshot, in rule order. */
  public static List<Violation> find(ClusterSnapshot snapshot) {
    Map<String, String> hostOf = new HashMap<>();
    for (VmLoad v : snapshot.vms()) {
      hostOf.put(v.name(), v.host());
    }
    List<Violation> found = new ArrayList<>();
    for (Rule rule : snapshot.rules()) {
      Map<String, List<String>> byHost = new TreeMap<>();
      for (String vm : rule.vms()) {
        String host = hostOf.get(vm);
        if (host != null) {
          byHost.computeIfAbsent(host, h -> new ArrayList<>()).add(vm);
        }
      }
      switch (rule) {
        case Rule.Affinity a -> {
          if (byHost.size() > 1) {
            found.add(new Violation(a.name(), "affinity rule " + a.name() + " split: " + byHost));
          }
        }
        case Rule.AntiAffinity a -> {
          byHost.forEach(
              (host, vms) -> {
                if (vms.size() > 1) {
                  found.add(
                      new Violation(
                          a.name(),
                          "anti-affinity rule " + a.name() + ": " + vms + " share " + host));
                }
              });
        }
        case Rule.VmHostGroup g -> {
          if (g.mandatory()) {
            byHost.forEach(
                (host, vms) -> {
                  if (!g.hosts().contains(host)) {
                    found.add(
                        new Violation(
                            g.name(),
                            "mandatory host group "
                                + g.name()
                                + ": "
                                + vms
                                + " run on "
                                + host
                                + ", outside the group"));
                  }
                });
          }
        }
      }
    }
    return found;
  }
}
