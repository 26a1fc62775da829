package dev.ferry.manager.balance;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the balancer, evacuation and placement look at, frozen at one moment: hosts, VMs,
 * rules and the migrations that happened lately. Immutable; every VM must run on a listed host.
 *
 * @param hosts every host of the cluster, names unique
 * @param vms every VM, names unique, each on a listed host
 * @param rules the operator's placement rules
 * @param recent recent migrations (older ones may be left in; they are ignored)
 */
public record ClusterSnapshot(
    List<HostLoad> hosts, List<VmLoad> vms, List<Rule> rules, List<RecentMove> recent) {

  public ClusterSnapshot {
    hosts = List.copyOf(Objects.requireNonNull(hosts, "hosts must not be null"));
    vms = List.copyOf(Objects.requireNonNull(vms, "vms must not be null"));
    rules = List.copyOf(Objects.requireNonNull(rules, "rules must not be null"));
    recent = List.copyOf(Objects.requireNonNull(recent, "recent must not be null"));
    Set<String> hostNames = new HashSet<>();
    for (HostLoad h : hosts) {
      if (!hostNames.add(h.name())) {
        throw new IllegalArgumentException("duplicate host name " + h.name());
      }
    }
    Set<String> vmNames = new HashSet<>();
    for (VmLoad v : vms) {
      if (!vmNames.add(v.name())) {
        throw new IllegalArgumentException("duplicate VM name " + v.name());
      }
      if (!hostNames.contains(v.host())) {
        throw new IllegalArgumentException("VM " + v.name() + " runs on unknown host " + v.host());
      }
    }
  }

  /** A snapshot without rules or recent moves. */
  public ClusterSnapshot(List<HostLoad> hosts, List<VmLoad> vms) {
    this(hosts, vms, List.of(), List.of());
  }

  /** The host with this name. */
  public Optional<HostLoad> host(String name) {
    return hosts.stream().filter(h -> h.name().equals(name)).findFirst();
  }

  /** The VM with this name. */
  public Optional<VmLoad> vm(String name) {
    return vms.stream().filter(v -> v.name().equals(name)).findFirst();
  }

  /** This snapshot with other rules. */
  public ClusterSnapshot withRules(List<Rule> newRules) {
    return new ClusterSnapshot(hosts, vms, newRules, recent);
  }

  /** This snapshot with other recent moves. */
  public ClusterSnapshot withRecent(List<RecentMove> newRecent) {
    return new ClusterSnapshot(hosts, vms, rules, newRecent);
  }

  /**
   * The cluster after these moves completed at {@code at}: each VM on its new host (its load
   * unchanged) and each move added to {@link #recent}. Applied in order.
   *
   * @throws IllegalArgumentException when a move names an unknown VM or host, or a VM that is not
   *     on the move's {@code from} host at that point
   */
  public ClusterSnapshot applying(List<Recommendation> moves, Instant at) {
    Objects.requireNonNull(at, "at must not be null");
    List<VmLoad> newVms = new ArrayList<>(vms);
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < newVms.size(); i++) {
      index.put(newVms.get(i).name(), i);
    }
    Set<String> hostNames = new HashSet<>();
    hosts.forEach(h -> hostNames.add(h.name()));
    List<RecentMove> newRecent = new ArrayList<>(recent);
    for (Recommendation m : moves) {
      Integer i = index.get(m.vm());
      if (i == null) {
        throw new IllegalArgumentException("move of unknown VM " + m.vm());
      }
      VmLoad v = newVms.get(i);
      if (!v.host().equals(m.from())) {
        throw new IllegalArgumentException(
            "move of " + m.vm() + " from " + m.from() + ", but it is on " + v.host());
      }
      if (!hostNames.contains(m.to())) {
        throw new IllegalArgumentException("move of " + m.vm() + " to unknown host " + m.to());
      }
      newVms.set(i, v.on(m.to()));
      newRecent.add(new RecentMove(m.vm(), m.from(), m.to(), at));
    }
    return new ClusterSnapshot(hosts, newVms, rules, newRecent);
  }
}
