package dev.ferry.manager.balance;

import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A placement rule an operator set. Affinity, anti-affinity and mandatory host groups are never
 * broken by a move or placement this package proposes; preferred host groups are followed when
 * possible. Names in a rule that match no VM or host are ignored (the VM may not exist yet).
 */
public sealed interface Rule {

  /** The rule's name, used in every reason that mentions it. */
  String name();

  /** The VMs the rule applies to, sorted by name. */
  Set<String> vms();

  /**
   * Keep these VMs on one host. The balancer moves such a group only as a whole.
   *
   * @param name rule name
   * @param vms the VMs to keep together
   */
  record Affinity(String name, Set<String> vms) implements Rule {
    public Affinity {
      Checks.name(name, "rule name");
      vms = sorted(vms, name);
    }
  }

  /**
   * Never run two of these VMs on one host.
   *
   * @param name rule name
   * @param vms the VMs to keep apart
   */
  record AntiAffinity(String name, Set<String> vms) implements Rule {
    public AntiAffinity {
      Checks.name(name, "rule name");
      vms = sorted(vms, name);
    }
  }

  /**
   * Run these VMs on one of these hosts.
   *
   * @param name rule name
   * @param vms the VMs the rule applies to
   * @param hosts the hosts they belong on
   * @param mandatory true: must run there, never elsewhere; false: preferred, followed when a host
   *     in the group has room
   */
  record VmHostGroup(String name, Set<String> vms, Set<String> hosts, boolean mandatory)
      implements Rule {
    public VmHostGroup {
      Checks.name(name, "rule name");
      vms = sorted(vms, name);
      hosts = sorted(hosts, name);
      if (hosts.isEmpty()) {
        throw new IllegalArgumentException("rule " + name + ": hosts must not be empty");
      }
    }
  }

  private static Set<String> sorted(Set<String> names, String rule) {
    Objects.requireNonNull(names, () -> "rule " + rule + ": names must not be null");
    SortedSet<String> copy = new TreeSet<>();
    for (String n : names) {
      copy.add(Checks.name(n, "rule " + rule + ": a name")); // rejects null and blank entries
    }
    return Collections.unmodifiableSortedSet(copy);
  }
}
