package dev.ferry.manager.placement;

import dev.ferry.api.ClusterHost;
import dev.ferry.api.ClusterMigration;
import dev.ferry.api.HostFacts;
import dev.ferry.manager.ManagerException;
import dev.ferry.manager.balance.ClusterSnapshot;
import dev.ferry.manager.balance.Evacuation;
import dev.ferry.manager.balance.EvacuationPlan;
import dev.ferry.manager.balance.HostLoad;
import dev.ferry.manager.balance.NewVm;
import dev.ferry.manager.balance.Placement;
import dev.ferry.manager.balance.PlacementDecision;
import dev.ferry.manager.balance.RecentMove;
import dev.ferry.manager.balance.Rule;
import dev.ferry.manager.balance.VmLoad;
import dev.ferry.manager.hosts.HostMonitor;
import dev.ferry.manager.maintenance.EvacuationPlanner;
import dev.ferry.manager.store.HostStore;
import dev.ferry.manager.store.MigrationStore;
import dev.ferry.manager.store.VmStore;
import dev.ferry.manager.vms.Placer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Builds the balancer's view of the cluster from the inventory (hosts with their facts and load,
 * VMs with their measured CPU, anti-affinity rules, recent moves) and answers the placement
 * questions: where a new VM goes, where a VM should migrate, and the evacuation plan of a host.
 */
public final class ClusterPlacement implements Placer, EvacuationPlanner {
  private static final Duration RECENT = Duration.ofHours(1);

  private final HostStore hosts;
  private final VmStore vms;
  private final MigrationStore migrations;
  private final HostMonitor monitor;
  private final Clock clock;

  public ClusterPlacement(
      HostStore hosts, VmStore vms, MigrationStore migrations, HostMonitor monitor, Clock clock) {
    this.hosts = hosts;
    this.vms = vms;
    this.migrations = migrations;
    this.monitor = monitor;
    this.clock = clock;
  }

  /** The cluster as the balancer sees it now. */
  public ClusterSnapshot snapshot() {
    List<HostLoad> hostLoads = new ArrayList<>();
    for (ClusterHost h : hosts.all()) {
      if (h.facts().isEmpty()) {
        continue;
      }
      HostFacts f = h.facts().get();
      hostLoads.add(
          new HostLoad(
              h.name(),
              Math.max(1, f.cpu().cores()),
              Math.max(1, f.memory().total().bytes()),
              h.schedulable(),
              compatibility(f)));
    }
    Set<String> known = hostLoads.stream().map(HostLoad::name).collect(Collectors.toSet());
    Set<String> migrating =
        migrations.active().stream().map(r -> r.migration().vm()).collect(Collectors.toSet());
    List<VmLoad> vmLoads = new ArrayList<>();
    List<Rule> rules = new ArrayList<>();
    Set<String> seenRules = new HashSet<>();
    for (VmStore.Row r : vms.all()) {
      if (!known.contains(r.vm().host())) {
        continue;
      }
      boolean running = r.vm().state().hasProcess();
      vmLoads.add(
          new VmLoad(
              r.vm().name(),
              r.vm().host(),
              running ? monitor.vmCpu(r.vm().name()) : 0,
              running ? r.vm().memory().bytes() : 0,
              0,
              running && !migrating.contains(r.vm().name())));
      for (String other : r.antiAffinity()) {
        String key =
            r.vm().name().compareTo(other) < 0
                ? r.vm().name() + "|" + other
                : other + "|" + r.vm().name();
        if (seenRules.add(key)) {
          rules.add(
              new Rule.AntiAffinity(
                  "anti-affinity " + key.replace('|', '/'), Set.of(r.vm().name(), other)));
        }
      }
    }
    Set<String> vmNames = vmLoads.stream().map(VmLoad::name).collect(Collectors.toSet());
    rules.removeIf(rule -> rule instanceof Rule.AntiAffinity a && !vmNames.containsAll(a.vms()));
    List<RecentMove> recent = new ArrayList<>();
    for (MigrationStore.Row row : migrations.recent(200)) {
      ClusterMigration m = row.migration();
      // Moves of VMs deleted since then no longer shape anyone's load.
      if (m.status() == ClusterMigration.Status.COMPLETED
          && vmNames.contains(m.vm())
          && m.endedAt().isPresent()
          && m.endedAt().get().isAfter(clock.instant().minus(RECENT))) {
        recent.add(new RecentMove(m.vm(), m.source(), m.destination(), m.endedAt().get()));
      }
    }
    return new ClusterSnapshot(hostLoads, vmLoads).withRules(rules).withRecent(recent);
  }

  /** VMs live-migrate only between hosts with the same accelerator, CPU model and QEMU. */
  static String compatibility(HostFacts f) {
    return f.accelerator().accelerator().qemuName()
        + "/"
        + f.cpu().model()
        + "/qemu-"
        + f.qemu().version();
  }

  @Override
  public String place(
      String vm, int vcpus, long memoryBytes, Optional<String> pinned, Set<String> avoid) {
    ClusterSnapshot s = snapshot();
    if (s.hosts().isEmpty()) {
      throw new ManagerException(409, "the cluster has no host to put VM '" + vm + "' on");
    }
    pinned.ifPresent(
        p -> {
          if (s.host(p).isEmpty()) {
            throw new ManagerException(404, "no host named '" + p + "'");
          }
        });
    String compat = pinned.flatMap(s::host).orElse(s.hosts().get(0)).compatibility();
    PlacementDecision d =
        Placement.choose(s, new NewVm(vm, vcpus, memoryBytes, pinned, compat, avoid));
    return switch (d) {
      case PlacementDecision.Placed p -> p.host();
      case PlacementDecision.Refused r ->
          throw new ManagerException(409, "no host can take VM '" + vm + "': " + r.reason());
    };
  }

  /** The best host for {@code vm} to migrate to, or why there is none. */
  public String destinationFor(String vm) {
    ClusterSnapshot s = snapshot();
    VmLoad v =
        s.vm(vm).orElseThrow(() -> new ManagerException(404, "no running VM named '" + vm + "'"));
    String from = v.host();
    EvacuationPlan plan = Evacuation.plan(onlyVm(s, vm), from);
    for (var m : plan.moves()) {
      if (m.vm().equals(vm)) {
        return m.to();
      }
    }
    String why =
        plan.stuck().stream()
            .filter(u -> u.vm().equals(vm))
            .map(u -> u.reason())
            .findFirst()
            .orElse("no host fits");
    throw new ManagerException(409, "no host can take VM '" + vm + "': " + why);
  }

  /** The snapshot with every VM but {@code vm} pinned where it is. */
  private static ClusterSnapshot onlyVm(ClusterSnapshot s, String vm) {
    List<VmLoad> pinned =
        s.vms().stream()
            .map(
                v ->
                    v.name().equals(vm)
                        ? v
                        : new VmLoad(
                            v.name(),
                            v.host(),
                            v.cpuCores(),
                            v.memoryBytes(),
                            v.dirtyBytesPerSecond(),
                            false))
            .toList();
    return new ClusterSnapshot(s.hosts(), pinned).withRules(s.rules()).withRecent(s.recent());
  }

  @Override
  public Plan plan(String host) {
    EvacuationPlan p = Evacuation.plan(snapshot(), host);
    return new Plan(
        p.moves().stream().map(m -> new Move(m.vm(), m.to())).toList(),
        p.stuck().stream().map(u -> new Stuck(u.vm(), explain(u.reason()))).toList());
  }

  private static String explain(String reason) {
    return reason.equals(EvacuationPlan.STOPPED)
        ? "stopped or already migrating: only running VMs are live-migrated; it stays (start it"
            + " and enter maintenance again, or delete it)"
        : reason;
  }
}
