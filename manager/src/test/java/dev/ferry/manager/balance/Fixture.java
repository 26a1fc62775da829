package dev.ferry.manager.balance;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builds small clusters for tests: hosts of 16 cores and 64 GiB in class "kvm/a" by default. */
final class Fixture {

  static final long GIB = 1L << 30;
  static final long MIB = 1L << 20;
  static final String CLASS_A = "kvm/a";
  static final String CLASS_B = "kvm/b";
  static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

  private final List<HostLoad> hosts = new ArrayList<>();
  private final List<VmLoad> vms = new ArrayList<>();
  private final List<Rule> rules = new ArrayList<>();
  private final List<RecentMove> recent = new ArrayList<>();

  Fixture host(String name) {
    return host(name, 16, 64, CLASS_A, true);
  }

  Fixture host(String name, int cores, long memoryGib, String compatibility, boolean schedulable) {
    hosts.add(new HostLoad(name, cores, memoryGib * GIB, schedulable, compatibility));
    return this;
  }

  /** A running VM using 0.5 core and dirtying 10 MiB/s. */
  Fixture vm(String name, String host, long memoryGib) {
    return vm(name, host, 0.5, memoryGib * GIB, 10 * MIB, true);
  }

  Fixture vm(String name, String host, double cpu, long memoryBytes, long dirty, boolean movable) {
    vms.add(new VmLoad(name, host, cpu, memoryBytes, dirty, movable));
    return this;
  }

  /** {@code count} VMs named prefix-1.. of {@code memoryGib} each on {@code host}. */
  Fixture vms(String prefix, int count, String host, long memoryGib) {
    for (int i = 1; i <= count; i++) {
      vm(prefix + "-" + i, host, memoryGib);
    }
    return this;
  }

  Fixture rule(Rule rule) {
    rules.add(rule);
    return this;
  }

  Fixture movedRecently(String vm, String from, String to, Instant at) {
    recent.add(new RecentMove(vm, from, to, at));
    return this;
  }

  ClusterSnapshot snapshot() {
    return new ClusterSnapshot(hosts, vms, rules, recent);
  }

  static Rule.Affinity affinity(String name, String... vms) {
    return new Rule.Affinity(name, Set.of(vms));
  }

  static Rule.AntiAffinity antiAffinity(String name, String... vms) {
    return new Rule.AntiAffinity(name, Set.of(vms));
  }

  static Rule.VmHostGroup hostGroup(
      String name, boolean mandatory, Set<String> vms, String... hosts) {
    return new Rule.VmHostGroup(name, vms, Set.of(hosts), mandatory);
  }

  /**
   * Replays moves in order and asserts each is legal at its point: destination schedulable, of the
   * VM's compatibility class, and within its memory headroom. Returns the snapshot afterwards.
   */
  static ClusterSnapshot replayChecked(ClusterSnapshot snapshot, List<Recommendation> moves) {
    Map<String, HostLoad> hostsByName = new HashMap<>();
    snapshot.hosts().forEach(h -> hostsByName.put(h.name(), h));
    Map<String, Long> used = new HashMap<>();
    Map<String, VmLoad> vmByName = new HashMap<>();
    for (VmLoad v : snapshot.vms()) {
      used.merge(v.host(), v.memoryBytes(), Long::sum);
      vmByName.put(v.name(), v);
    }
    for (Recommendation m : moves) {
      HostLoad from = hostsByName.get(m.from());
      HostLoad to = hostsByName.get(m.to());
      VmLoad vm = vmByName.get(m.vm());
      if (!vm.movable()) {
        throw new AssertionError("moves a VM that is not movable: " + m);
      }
      if (!to.schedulable()) {
        throw new AssertionError("moves to an unschedulable host: " + m);
      }
      if (!to.compatibility().equals(from.compatibility())) {
        throw new AssertionError("moves across compatibility classes: " + m);
      }
      long after = used.getOrDefault(to.name(), 0L) + vm.memoryBytes();
      if (after > to.usableMemoryBytes()) {
        throw new AssertionError("overfills " + to.name() + " (" + after + " bytes): " + m);
      }
      used.merge(from.name(), -vm.memoryBytes(), Long::sum);
      used.put(to.name(), after);
    }
    return snapshot.applying(moves, NOW);
  }
}
