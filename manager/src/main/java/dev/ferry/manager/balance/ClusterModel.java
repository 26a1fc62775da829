package dev.ferry.manager.balance;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * The mutable working copy of a snapshot that planning changes move by move: where each VM is, each
 * host's CPU and memory in use and its load, the schedulable hosts of each compatibility class
 * sorted by load, and running sums of load and load² so imbalance and the effect of a candidate
 * move cost O(1). A move updates only its two hosts (O(log hosts)).
 */
final class ClusterModel {

  private final List<HostLoad> hosts;
  private final List<VmLoad> vms;
  private final Map<String, Integer> hostIndex = new HashMap<>();
  private final Map<String, Integer> vmIndex = new HashMap<>();
  private final List<String> compatNames = new ArrayList<>();
  private final boolean[] schedulable;
  private final int[] compatOf;
  private final long[] usable;
  private final int[] hostOf;
  private final double[] cpuUsed;
  private final long[] memUsed;
  private final double[] load;
  private final List<List<Integer>> vmsOn = new ArrayList<>();
  private final List<TreeSet<Integer>> byLoad = new ArrayList<>();
  private final RuleIndex rules;
  private final int scheduled;
  private double sumLoad;
  private double sumSquares;

  private ClusterModel(ClusterSnapshot snapshot, Set<String> alsoUnschedulable) {
    hosts = snapshot.hosts();
    vms = snapshot.vms();
    int n = hosts.size();
    schedulable = new boolean[n];
    compatOf = new int[n];
    usable = new long[n];
    cpuUsed = new double[n];
    memUsed = new long[n];
    load = new double[n];
    Map<String, Integer> compatIndex = new HashMap<>();
    for (int h = 0; h < n; h++) {
      HostLoad host = hosts.get(h);
      hostIndex.put(host.name(), h);
      schedulable[h] = host.schedulable() && !alsoUnschedulable.contains(host.name());
      compatOf[h] =
          compatIndex.computeIfAbsent(
              host.compatibility(),
              c -> {
                compatNames.add(c);
                return compatNames.size() - 1;
              });
      usable[h] = host.usableMemoryBytes();
      vmsOn.add(new ArrayList<>());
    }
    hostOf = new int[vms.size()];
    for (int v = 0; v < vms.size(); v++) {
      VmLoad vm = vms.get(v);
      vmIndex.put(vm.name(), v);
      int h = hostIndex.get(vm.host());
      hostOf[v] = h;
      cpuUsed[h] += vm.cpuCores();
      memUsed[h] += vm.memoryBytes();
      vmsOn.get(h).add(v);
    }
    double[] loads = load;
    for (int c = 0; c < compatNames.size(); c++) {
      byLoad.add(
          new TreeSet<>(
              (a, b) -> {
                int byValue = Double.compare(loads[a], loads[b]);
                return byValue != 0 ? byValue : Integer.compare(a, b);
              }));
    }
    int count = 0;
    for (int h = 0; h < n; h++) {
      load[h] = loadOf(h, cpuUsed[h], memUsed[h]);
      if (schedulable[h]) {
        byLoad.get(compatOf[h]).add(h);
        sumLoad += load[h];
        sumSquares += load[h] * load[h];
        count++;
      }
    }
    scheduled = count;
    rules = new RuleIndex(snapshot.rules(), vms, vmIndex, hostIndex, hostOf);
  }

  /** The snapshot as a working model. */
  static ClusterModel of(ClusterSnapshot snapshot) {
    return new ClusterModel(snapshot, Set.of());
  }

  /** The snapshot as a working model in which these hosts, too, take no VMs. */
  static ClusterModel of(ClusterSnapshot snapshot, Set<String> alsoUnschedulable) {
    return new ClusterModel(snapshot, alsoUnschedulable);
  }

  RuleIndex rules() {
    return rules;
  }

  int hostCount() {
    return hosts.size();
  }

  int vmCount() {
    return vms.size();
  }

  HostLoad host(int h) {
    return hosts.get(h);
  }

  String hostName(int h) {
    return hosts.get(h).name();
  }

  VmLoad vm(int v) {
    return vms.get(v);
  }

  /** The host's index, or -1. */
  int hostIndex(String name) {
    Integer h = hostIndex.get(name);
    return h == null ? -1 : h;
  }

  /** The VM's index, or -1. */
  int vmIndex(String name) {
    Integer v = vmIndex.get(name);
    return v == null ? -1 : v;
  }

  Map<String, Integer> vmIndexes() {
    return vmIndex;
  }

  /** The index of a compatibility class, or -1 when no host has it. */
  int compatIndex(String compatibility) {
    return compatNames.indexOf(compatibility);
  }

  int compatClass(int host) {
    return compatOf[host];
  }

  String compatName(int compat) {
    return compat < 0 ? "(none)" : compatNames.get(compat);
  }

  int compatCount() {
    return compatNames.size();
  }

  boolean schedulable(int h) {
    return schedulable[h];
  }

  int hostOf(int vm) {
    return hostOf[vm];
  }

  /** The VMs on a host, in the order they arrived. Do not modify. */
  List<Integer> vmsOn(int h) {
    return vmsOn.get(h);
  }

  /** Schedulable hosts of one class, ascending load. Do not modify. */
  NavigableSet<Integer> byLoad(int compat) {
    return byLoad.get(compat);
  }

  double load(int h) {
    return load[h];
  }

  double cpuShare(int h) {
    return cpuUsed[h] / hosts.get(h).cores();
  }

  double memoryShare(int h) {
    return memUsed[h] / (double) hosts.get(h).memoryBytes();
  }

  /** Memory a host can still take before its headroom (negative when already over). */
  long freeMemory(int h) {
    return usable[h] - memUsed[h];
  }

  /** The host's load with this much more (or, negative, less) CPU and memory. */
  double loadWith(int h, double cpu, long memory) {
    return loadOf(h, cpuUsed[h] + cpu, memUsed[h] + memory);
  }

  private double loadOf(int h, double cpu, long memory) {
    HostLoad host = hosts.get(h);
    return Math.max(cpu / host.cores(), memory / (double) host.memoryBytes());
  }

  /** Mean load over schedulable hosts. */
  double meanLoad() {
    return scheduled == 0 ? 0 : sumLoad / scheduled;
  }

  /** Standard deviation of load over schedulable hosts, from the running sums. */
  double imbalance() {
    return scheduled == 0 ? 0 : Math.sqrt(Math.max(0, deviation() / scheduled));
  }

  /** The sum over schedulable hosts of (load − mean)². */
  private double deviation() {
    return sumSquares - sumLoad * sumLoad / scheduled;
  }

  /** The same, recomputed from scratch (no rounding drift). */
  double imbalanceExact() {
    if (scheduled == 0) {
      return 0;
    }
    double mean = 0;
    for (int h = 0; h < load.length; h++) {
      if (schedulable[h]) {
        mean += load[h];
      }
    }
    mean /= scheduled;
    double squares = 0;
    for (int h = 0; h < load.length; h++) {
      if (schedulable[h]) {
        squares += (load[h] - mean) * (load[h] - mean);
      }
    }
    return Math.sqrt(squares / scheduled);
  }

  /**
   * How much moving this CPU and memory from schedulable host {@code s} to schedulable host {@code
   * d} lowers the sum of squared deviations (see {@link Recommendation}); negative if it raises it.
   */
  double benefit(int s, int d, double cpu, long memory) {
    double ls = load[s];
    double ld = load[d];
    double ls2 = loadWith(s, -cpu, -memory);
    double ld2 = loadWith(d, cpu, memory);
    double change = (ls2 + ld2) - (ls + ld);
    double squares = (ls * ls + ld * ld) - (ls2 * ls2 + ld2 * ld2);
    // deviation = squares − sum²/n; the sum moves by `change`.
    return squares + change * (2 * sumLoad + change) / scheduled;
  }

  /** Imbalance (standard deviation) if {@link #benefit} were realised. */
  double imbalanceAfter(double benefit) {
    return scheduled == 0 ? 0 : Math.sqrt(Math.max(0, (deviation() - benefit) / scheduled));
  }

  /** Moves one VM, updating both hosts' sums, loads and sort positions. */
  void move(int vm, int to) {
    int from = hostOf[vm];
    if (from == to) {
      return;
    }
    VmLoad v = vms.get(vm);
    vmsOn.get(from).remove(Integer.valueOf(vm));
    vmsOn.get(to).add(vm);
    adjust(from, -v.cpuCores(), -v.memoryBytes());
    adjust(to, v.cpuCores(), v.memoryBytes());
    hostOf[vm] = to;
  }

  private void adjust(int h, double cpu, long memory) {
    boolean counted = schedulable[h];
    if (counted) {
      byLoad.get(compatOf[h]).remove(h);
      sumLoad -= load[h];
      sumSquares -= load[h] * load[h];
    }
    cpuUsed[h] += cpu;
    memUsed[h] += memory;
    load[h] = loadOf(h, cpuUsed[h], memUsed[h]);
    if (counted) {
      byLoad.get(compatOf[h]).add(h);
      sumLoad += load[h];
      sumSquares += load[h] * load[h];
    }
  }

  /** Why host {@code d} cannot take the subject now, or null when it can. */
  Why check(Subject s, int d) {
    if (d == s.from()) {
      return Why.SAME_HOST;
    }
    if (!schedulable[d]) {
      return Why.UNSCHEDULABLE;
    }
    if (compatOf[d] != s.compatClass()) {
      return Why.INCOMPATIBLE;
    }
    if (memUsed[d] + s.memory() > usable[d]) {
      return Why.MEMORY;
    }
    if (s.allowed() != null && !s.allowed().get(d)) {
      return Why.HOST_GROUP;
    }
    if (s.together() != null && !s.together().get(d)) {
      return Why.AFFINITY;
    }
    for (int r : s.antiRules()) {
      if (rules.memberOn(r, d) >= 0) {
        return Why.ANTI_AFFINITY;
      }
    }
    for (int v : s.avoidVms()) {
      if (hostOf[v] == d) {
        return Why.ANTI_AFFINITY;
      }
    }
    return null;
  }

  /** What {@link #check} found, in words about host {@code d}. */
  String describe(Why why, Subject s, int d) {
    return switch (why) {
      case SAME_HOST -> "already there";
      case UNSCHEDULABLE -> "not schedulable (down or in maintenance)";
      case INCOMPATIBLE ->
          "compatibility " + compatName(compatOf[d]) + ", needs " + s.compatibility();
      case MEMORY ->
          Format.bytes(Math.max(0, freeMemory(d))) + " free, needs " + Format.bytes(s.memory());
      case HOST_GROUP -> "outside mandatory host group " + String.join(", ", s.allowedBy());
      case PREFERRED_GROUP -> "outside the preferred host group";
      case AFFINITY ->
          "affinity rule "
              + String.join(", ", s.togetherBy())
              + " keeps it with VMs on "
              + hostList(s.together());
      case ANTI_AFFINITY -> antiAffinityDetail(s, d);
    };
  }

  private String hostList(BitSet set) {
    List<String> names = new ArrayList<>();
    set.stream().limit(3).forEach(h -> names.add(hostName(h)));
    return String.join(", ", names) + (set.cardinality() > 3 ? ", ..." : "");
  }

  private String antiAffinityDetail(Subject s, int d) {
    for (int r : s.antiRules()) {
      int m = rules.memberOn(r, d);
      if (m >= 0) {
        return "runs " + vms.get(m).name() + " (anti-affinity rule " + rules.rule(r).name() + ")";
      }
    }
    for (int v : s.avoidVms()) {
      if (hostOf[v] == d) {
        return "runs " + vms.get(v).name() + ", which it must be kept apart from";
      }
    }
    return "anti-affinity";
  }

  /** How many of the subject's preferred host groups {@code d} is outside of. */
  int preferredMisses(Subject s, int d) {
    int misses = 0;
    for (int r : s.preferredRules()) {
      if (!rules.groupHosts(r).get(d)) {
        misses++;
      }
    }
    return misses;
  }
}
