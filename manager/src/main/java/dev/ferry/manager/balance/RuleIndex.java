package dev.ferry.manager.balance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The snapshot's rules resolved to model indices: which rules name each VM, which hosts each host
 * group holds, and the affinity groups (rules that share a VM are merged: their VMs all stay on one
 * host). Reads VM positions from the model's live host array, so it is always current.
 */
final class RuleIndex {

  private static final int[] NONE = {};

  private final List<Rule> rules;
  private final List<int[]> members = new ArrayList<>();
  private final List<BitSet> groupHosts = new ArrayList<>();
  private final int[][] rulesOfVm;
  private final int[] componentOf;
  private final List<int[]> components = new ArrayList<>();
  private final List<List<String>> componentRules = new ArrayList<>();
  private final int[] hostOf;
  private final List<VmLoad> vms;

  /**
   * @param hostOf the model's live VM → host array; read, never written
   */
  RuleIndex(
      List<Rule> rules,
      List<VmLoad> vms,
      Map<String, Integer> vmIndex,
      Map<String, Integer> hostIndex,
      int[] hostOf) {
    this.rules = rules;
    this.vms = vms;
    this.hostOf = hostOf;
    Map<Integer, List<Integer>> byVm = new HashMap<>();
    int[] parent = new int[vms.size()];
    for (int i = 0; i < parent.length; i++) {
      parent[i] = i;
    }
    for (int r = 0; r < rules.size(); r++) {
      Rule rule = rules.get(r);
      List<Integer> found = new ArrayList<>();
      for (String name : rule.vms()) {
        Integer v = vmIndex.get(name);
        if (v != null) {
          found.add(v);
          byVm.computeIfAbsent(v, k -> new ArrayList<>()).add(r);
        }
      }
      members.add(found.stream().mapToInt(Integer::intValue).toArray());
      BitSet hosts = null;
      if (rule instanceof Rule.VmHostGroup g) {
        hosts = new BitSet(hostIndex.size());
        for (String h : g.hosts()) {
          Integer i = hostIndex.get(h);
          if (i != null) {
            hosts.set(i);
          }
        }
      }
      groupHosts.add(hosts);
      if (rule instanceof Rule.Affinity) {
        for (int k = 1; k < found.size(); k++) {
          union(parent, found.get(0), found.get(k));
        }
      }
    }
    rulesOfVm = new int[vms.size()][];
    for (int v = 0; v < vms.size(); v++) {
      List<Integer> list = byVm.get(v);
      rulesOfVm[v] = list == null ? NONE : list.stream().mapToInt(Integer::intValue).toArray();
    }
    componentOf = new int[vms.size()];
    Arrays.fill(componentOf, -1);
    Map<Integer, Integer> rootToComponent = new HashMap<>();
    Map<Integer, List<Integer>> componentMembers = new HashMap<>();
    for (int r = 0; r < rules.size(); r++) {
      if (!(rules.get(r) instanceof Rule.Affinity) || members.get(r).length < 2) {
        continue;
      }
      int root = find(parent, members.get(r)[0]);
      Integer c = rootToComponent.get(root);
      if (c == null) {
        c = components.size();
        rootToComponent.put(root, c);
        components.add(NONE);
        componentRules.add(new ArrayList<>());
        componentMembers.put(c, new ArrayList<>());
      }
      componentRules.get(c).add(rules.get(r).name());
      for (int v : members.get(r)) {
        if (componentOf[v] < 0) {
          componentOf[v] = c;
          componentMembers.get(c).add(v);
        }
      }
    }
    for (Map.Entry<Integer, List<Integer>> e : componentMembers.entrySet()) {
      components.set(
          e.getKey(), e.getValue().stream().mapToInt(Integer::intValue).sorted().toArray());
    }
  }

  private static int find(int[] parent, int v) {
    while (parent[v] != v) {
      parent[v] = parent[parent[v]];
      v = parent[v];
    }
    return v;
  }

  private static void union(int[] parent, int a, int b) {
    int ra = find(parent, a);
    int rb = find(parent, b);
    if (ra != rb) {
      parent[Math.max(ra, rb)] = Math.min(ra, rb);
    }
  }

  int ruleCount() {
    return rules.size();
  }

  Rule rule(int id) {
    return rules.get(id);
  }

  /** The rule's VMs that exist, as model indices. */
  int[] members(int id) {
    return members.get(id);
  }

  /** A host group's hosts (null for other rules). */
  BitSet groupHosts(int id) {
    return groupHosts.get(id);
  }

  /** Ids of the rules naming this VM. */
  int[] rulesOf(int vm) {
    return rulesOfVm[vm];
  }

  /** A member of rule {@code id} now on {@code host}, or -1. */
  int memberOn(int id, int host) {
    for (int m : members.get(id)) {
      if (hostOf[m] == host) {
        return m;
      }
    }
    return -1;
  }

  /** The VM's affinity group, or -1 when it has none. */
  int component(int vm) {
    return componentOf[vm];
  }

  int componentCount() {
    return components.size();
  }

  /** The VMs of an affinity group, ascending model index. */
  int[] componentMembers(int c) {
    return components.get(c);
  }

  /** The names of the affinity rules forming a group. */
  List<String> componentRules(int c) {
    return componentRules.get(c);
  }

  /** "affinity group db (db-1, db-2)" for a group, or the VM's name. */
  String label(int[] unit) {
    if (unit.length == 1) {
      return vms.get(unit[0]).name();
    }
    List<String> names = new ArrayList<>();
    for (int v : unit) {
      names.add(vms.get(v).name());
    }
    int c = componentOf[unit[0]];
    String rule = c < 0 ? "" : String.join("+", componentRules.get(c)) + " ";
    return "affinity group " + rule + "(" + String.join(", ", names) + ")";
  }

  /** Constraints on moving these VMs (all on {@code from}, or -1) together to one host. */
  Subject subject(ClusterModel model, int[] unit, int from) {
    long memory = 0;
    double cpu = 0;
    Set<Integer> moving = new HashSet<>();
    for (int v : unit) {
      memory += vms.get(v).memoryBytes();
      cpu += vms.get(v).cpuCores();
      moving.add(v);
    }
    int compat = model.compatClass(hostOf[unit[0]]);
    Builder b = new Builder();
    for (int v : unit) {
      for (int r : rulesOfVm[v]) {
        switch (rules.get(r)) {
          case Rule.VmHostGroup g -> b.group(r, g);
          case Rule.AntiAffinity a -> {
            if (!b.anti.add(r)) {
              b.conflict(
                  "it must move as one affinity group, yet anti-affinity rule "
                      + a.name()
                      + " keeps two of its VMs apart");
            }
          }
          case Rule.Affinity a -> {
            for (int m : members.get(r)) {
              if (!moving.contains(m)) {
                b.together(a.name(), hostOf[m]);
              }
            }
          }
        }
      }
    }
    for (int v : unit) {
      if (model.compatClass(hostOf[v]) != compat) {
        b.conflict("its VMs sit on hosts of different compatibility classes");
      }
    }
    return b.build(label(unit), unit, from, compat, model.compatName(compat), memory, cpu, NONE);
  }

  /** Constraints on placing a VM that does not exist yet. */
  Subject subjectForNew(
      ClusterModel model, NewVm vm, Map<String, Integer> vmIndex, int compatClass) {
    Builder b = new Builder();
    for (int r = 0; r < rules.size(); r++) {
      Rule rule = rules.get(r);
      if (!rule.vms().contains(vm.name())) {
        continue;
      }
      switch (rule) {
        case Rule.VmHostGroup g -> b.group(r, g);
        case Rule.AntiAffinity a -> b.anti.add(r);
        case Rule.Affinity a -> {
          for (int m : members.get(r)) {
            b.together(a.name(), hostOf[m]);
          }
        }
      }
    }
    List<Integer> avoid = new ArrayList<>();
    for (String name : vm.antiAffinityWith()) {
      Integer v = vmIndex.get(name);
      if (v != null) {
        avoid.add(v);
      }
    }
    return b.build(
        vm.name(),
        NONE,
        -1,
        compatClass,
        vm.compatibility(),
        vm.memoryBytes(),
        vm.vcpus(),
        avoid.stream().mapToInt(Integer::intValue).toArray());
  }

  /** Accumulates one subject's constraints. */
  private final class Builder {
    BitSet allowed;
    final Set<String> allowedBy = new LinkedHashSet<>();
    BitSet together;
    final Set<String> togetherBy = new LinkedHashSet<>();
    final Set<Integer> anti = new TreeSet<>();
    final Set<Integer> preferred = new TreeSet<>();
    String conflict;

    void group(int r, Rule.VmHostGroup g) {
      if (!g.mandatory()) {
        preferred.add(r);
        return;
      }
      if (allowedBy.add(g.name())) {
        if (allowed == null) {
          allowed = (BitSet) groupHosts.get(r).clone();
        } else {
          allowed.and(groupHosts.get(r));
        }
      }
    }

    void together(String rule, int host) {
      if (together == null) {
        together = new BitSet();
      }
      together.set(host);
      togetherBy.add(rule);
    }

    void conflict(String why) {
      if (conflict == null) {
        conflict = why;
      }
    }

    Subject build(
        String label,
        int[] unit,
        int from,
        int compat,
        String compatName,
        long memory,
        double cpu,
        int[] avoid) {
      if (allowed != null && allowed.isEmpty()) {
        conflict(
            allowedBy.size() == 1
                ? "mandatory host group " + allowedBy.iterator().next() + " names no known host"
                : "mandatory host groups " + String.join(", ", allowedBy) + " share no host");
      }
      return new Subject(
          label,
          unit,
          from,
          compat,
          compatName,
          memory,
          cpu,
          allowed,
          List.copyOf(allowedBy),
          together,
          List.copyOf(togetherBy),
          anti.stream().mapToInt(Integer::intValue).toArray(),
          avoid,
          preferred.stream().mapToInt(Integer::intValue).toArray(),
          conflict);
    }
  }
}
