package dev.ferry.manager.balance.sim;

import dev.ferry.manager.balance.ClusterSnapshot;
import dev.ferry.manager.balance.HostLoad;
import dev.ferry.manager.balance.Rule;
import dev.ferry.manager.balance.VmLoad;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A seeded generator of realistic, uneven clusters for tests and benchmarks. The same arguments
 * always give the same snapshot.
 *
 * <ul>
 *   <li>Hosts come in three hardware sizes (32 cores/256 GiB, 48/384, 64/512); with 20 or more
 *       hosts a third of them are of a second compatibility class; 2 % are unschedulable (empty).
 *   <li>VMs commit about 55 % of the schedulable memory and use about 35 % of the cores (never more
 *       than a host has), in mixed sizes (1/8 to 4 times the mean), mostly quiet with a few heavy
 *       memory dirtiers; 4 % are stopped (not movable).
 *   <li>Placement is uneven: 8 % of hosts are "hot" and draw six times their share until they reach
 *       about 87 % of their memory.
 *   <li>Rules, per VM count: an affinity group (2–3 VMs, one host) per 400 VMs, an anti-affinity
 *       rule (3–4 VMs, distinct hosts) per 400, a mandatory host group (8 VMs on a few hosts) per
 *       1,000 and a preferred one per 2,000.
 *   <li>With 20 or more hosts, three violations a balancing pass must fix: two anti-affinity
 *       members sharing a host, a VM outside its mandatory host group, a split affinity group.
 * </ul>
 */
public final class SyntheticCluster {

  private static final long GIB = 1L << 30;
  private static final long MIB = 1L << 20;
  private static final int[][] SIZES = {{32, 256}, {48, 384}, {64, 512}};
  private static final String[] CLASSES = {"kvm/EPYC-Milan/qemu-9", "kvm/Icelake-Server/qemu-9"};
  private static final double[] SIZE_FACTORS = {0.125, 0.25, 0.5, 1, 1, 1, 2, 4};
  private static final double HOT_SHARE = 0.08;
  private static final double HOT_WEIGHT = 6;
  private static final double FILL_LIMIT = 0.87;

  private final SplittableRandom random;
  private final List<HostLoad> hosts = new ArrayList<>();
  private final List<VmLoad> vms = new ArrayList<>();
  private final List<Rule> rules = new ArrayList<>();
  private final long[] used;
  private final double[] cpuUsed;
  private final double[] weight;
  private final double meanMemory;
  private final double meanCpu;
  private int vmCounter;

  private SyntheticCluster(int hostCount, int vmCount, long seed) {
    random = new SplittableRandom(seed);
    used = new long[hostCount];
    cpuUsed = new double[hostCount];
    weight = new double[hostCount];
    long memory = 0;
    long cores = 0;
    for (int i = 0; i < hostCount; i++) {
      int[] size = SIZES[random.nextInt(SIZES.length)];
      String compat = hostCount >= 20 && i % 3 == 2 ? CLASSES[1] : CLASSES[0];
      boolean schedulable = hostCount < 50 || random.nextDouble() >= 0.02;
      hosts.add(
          new HostLoad(
              String.format("host-%04d", i + 1), size[0], size[1] * GIB, schedulable, compat));
      if (schedulable) {
        memory += size[1] * GIB;
        cores += size[0];
        weight[i] = random.nextDouble() < HOT_SHARE ? HOT_WEIGHT : 0.6 + 0.8 * random.nextDouble();
      }
    }
    double factorMean = Arrays.stream(SIZE_FACTORS).average().orElse(1);
    meanMemory = 0.55 * memory / vmCount / factorMean;
    meanCpu = 0.35 * cores / vmCount;
  }

  /**
   * A cluster of {@code hostCount} hosts and about {@code vmCount} VMs.
   *
   * @param seed the same seed gives the same cluster
   */
  public static ClusterSnapshot generate(int hostCount, int vmCount, long seed) {
    if (hostCount < 2 || vmCount < 1) {
      throw new IllegalArgumentException(
          "need at least 2 hosts and 1 VM, got " + hostCount + " and " + vmCount);
    }
    SyntheticCluster c = new SyntheticCluster(hostCount, vmCount, seed);
    c.addRuleGroups(vmCount);
    while (c.vms.size() < vmCount) {
      if (!c.placeSingle()) {
        break;
      }
    }
    if (hostCount >= 20) {
      c.breakRules();
    }
    return new ClusterSnapshot(c.hosts, c.vms, c.rules, List.of());
  }

  private VmLoad newVm(String host, boolean movable) {
    double factor = SIZE_FACTORS[random.nextInt(SIZE_FACTORS.length)];
    long memory = Math.max(512 * MIB, Math.round(meanMemory * factor / (512 * MIB)) * 512 * MIB);
    double cpu = meanCpu * factor * (0.3 + 1.4 * random.nextDouble());
    double roll = random.nextDouble();
    long dirty =
        roll < 0.70
            ? random.nextLong(20 * MIB)
            : roll < 0.95
                ? 20 * MIB + random.nextLong(130 * MIB)
                : 150 * MIB + random.nextLong(450 * MIB);
    vmCounter++;
    return new VmLoad(
        String.format("vm-%05d", vmCounter),
        host,
        Math.round(cpu * 100) / 100.0,
        memory,
        dirty,
        movable);
  }

  private boolean fits(int h, long memory) {
    HostLoad host = hosts.get(h);
    return host.schedulable() && used[h] + memory <= FILL_LIMIT * host.memoryBytes();
  }

  /** A host drawn by weight (hot hosts more often) that fits, or -1 after many tries. */
  private int drawHost(long memory, String compat) {
    for (int attempt = 0; attempt < 64; attempt++) {
      int h = random.nextInt(hosts.size());
      if (random.nextDouble() * HOT_WEIGHT < weight[h]
          && (compat == null || hosts.get(h).compatibility().equals(compat))
          && fits(h, memory)) {
        return h;
      }
    }
    int start = random.nextInt(hosts.size());
    for (int i = 0; i < hosts.size(); i++) {
      int h = (start + i) % hosts.size();
      if ((compat == null || hosts.get(h).compatibility().equals(compat)) && fits(h, memory)) {
        return h;
      }
    }
    return -1;
  }

  /** Adds the VM on host {@code h}; on a busy host it gets only the CPU left (usage ≤ cores). */
  private void put(VmLoad vm, int h) {
    double cpu = Math.min(vm.cpuCores(), Math.max(0, hosts.get(h).cores() - cpuUsed[h]));
    cpu = Math.round(cpu * 100) / 100.0;
    used[h] += vm.memoryBytes();
    cpuUsed[h] += cpu;
    vms.add(
        new VmLoad(
            vm.name(),
            hosts.get(h).name(),
            cpu,
            vm.memoryBytes(),
            vm.dirtyBytesPerSecond(),
            vm.movable()));
  }

  private boolean placeSingle() {
    VmLoad vm = newVm("?", random.nextDouble() >= 0.04);
    int h = drawHost(vm.memoryBytes(), null);
    if (h < 0) {
      return false;
    }
    put(vm.on(hosts.get(h).name()), h);
    return true;
  }

  private void addRuleGroups(int vmCount) {
    for (int i = 0; i < Math.max(1, vmCount / 400); i++) {
      int size = 2 + random.nextInt(2);
      List<VmLoad> group = new ArrayList<>();
      long memory = 0;
      for (int k = 0; k < size; k++) {
        VmLoad vm = newVm("?", true);
        group.add(vm);
        memory += vm.memoryBytes();
      }
      int h = drawHost(memory, null);
      if (h < 0) {
        continue;
      }
      Set<String> names = new LinkedHashSet<>();
      for (VmLoad vm : group) {
        put(vm.on(hosts.get(h).name()), h);
        names.add(vm.name());
      }
      rules.add(new Rule.Affinity("together-" + (i + 1), names));
    }
    for (int i = 0; i < Math.max(1, vmCount / 400); i++) {
      int size = 3 + random.nextInt(2);
      Set<String> names = new LinkedHashSet<>();
      Set<Integer> taken = new LinkedHashSet<>();
      for (int k = 0; k < size; k++) {
        VmLoad vm = newVm("?", true);
        int h = drawHost(vm.memoryBytes(), CLASSES[0]);
        if (h < 0 || !taken.add(h)) {
          continue;
        }
        put(vm.on(hosts.get(h).name()), h);
        names.add(vm.name());
      }
      rules.add(new Rule.AntiAffinity("apart-" + (i + 1), names));
    }
    addHostGroups(Math.max(1, vmCount / 1000), true);
    addHostGroups(vmCount >= 2000 ? vmCount / 2000 : 0, false);
  }

  private void addHostGroups(int count, boolean mandatory) {
    List<Integer> candidates = new ArrayList<>();
    for (int h = 0; h < hosts.size(); h++) {
      if (hosts.get(h).schedulable() && hosts.get(h).compatibility().equals(CLASSES[0])) {
        candidates.add(h);
      }
    }
    for (int i = 0; i < count && candidates.size() >= 3; i++) {
      int groupSize = Math.max(3, candidates.size() / 25);
      Set<String> groupHosts = new LinkedHashSet<>();
      List<Integer> chosen = new ArrayList<>();
      while (chosen.size() < groupSize) {
        int h = candidates.get(random.nextInt(candidates.size()));
        if (groupHosts.add(hosts.get(h).name())) {
          chosen.add(h);
        }
      }
      Set<String> names = new LinkedHashSet<>();
      for (int k = 0; k < 8; k++) {
        VmLoad vm = newVm("?", true);
        int h = chosen.get(random.nextInt(chosen.size()));
        if (fits(h, vm.memoryBytes())) {
          put(vm.on(hosts.get(h).name()), h);
          names.add(vm.name());
        }
      }
      String name = (mandatory ? "only-on-" : "prefer-") + (i + 1);
      rules.add(new Rule.VmHostGroup(name, names, groupHosts, mandatory));
    }
  }

  /** Breaks three rules the way drift does, so a balancing pass has something to fix. */
  private void breakRules() {
    for (Rule rule : rules) {
      if (rule instanceof Rule.AntiAffinity a && a.vms().size() >= 2) {
        String[] two = a.vms().toArray(String[]::new);
        moveNextTo(two[1], two[0]);
        break;
      }
    }
    for (Rule rule : rules) {
      if (rule instanceof Rule.VmHostGroup g && g.mandatory() && !g.vms().isEmpty()) {
        String vm = g.vms().iterator().next();
        for (int h = 0; h < hosts.size(); h++) {
          HostLoad host = hosts.get(h);
          if (!g.hosts().contains(host.name())
              && host.compatibility().equals(CLASSES[0])
              && fits(h, vmNamed(vm).memoryBytes())) {
            moveTo(vm, h);
            break;
          }
        }
        break;
      }
    }
    for (Rule rule : rules) {
      if (rule instanceof Rule.Affinity a) {
        String vm = a.vms().iterator().next();
        String home = vmNamed(vm).host();
        for (int h = 0; h < hosts.size(); h++) {
          HostLoad host = hosts.get(h);
          if (!host.name().equals(home)
              && host.compatibility().equals(hostNamed(home).compatibility())
              && fits(h, vmNamed(vm).memoryBytes())) {
            moveTo(vm, h);
            break;
          }
        }
        break;
      }
    }
  }

  private void moveNextTo(String vm, String partner) {
    String host = vmNamed(partner).host();
    int h = hosts.indexOf(hostNamed(host));
    if (fits(h, vmNamed(vm).memoryBytes())) {
      moveTo(vm, h);
    }
  }

  private void moveTo(String vm, int h) {
    for (int i = 0; i < vms.size(); i++) {
      VmLoad v = vms.get(i);
      if (v.name().equals(vm)) {
        int from = hosts.indexOf(hostNamed(v.host()));
        used[from] -= v.memoryBytes();
        cpuUsed[from] -= v.cpuCores();
        used[h] += v.memoryBytes();
        cpuUsed[h] += v.cpuCores();
        vms.set(i, v.on(hosts.get(h).name()));
        return;
      }
    }
  }

  private VmLoad vmNamed(String name) {
    return vms.stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow();
  }

  private HostLoad hostNamed(String name) {
    return hosts.stream().filter(h -> h.name().equals(name)).findFirst().orElseThrow();
  }
}
