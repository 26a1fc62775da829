package dev.ferry.manager.hosts;

import dev.ferry.api.AgentClient;
import dev.ferry.api.ClusterHost;
import dev.ferry.api.HostFacts;
import dev.ferry.api.HostLoadSample;
import dev.ferry.api.VmInfo;
import dev.ferry.api.VmState;
import dev.ferry.manager.leases.LeaseCause;
import dev.ferry.manager.leases.LeaseDecision;
import dev.ferry.manager.leases.Leases;
import dev.ferry.manager.store.EventLog;
import dev.ferry.manager.store.HostStore;
import dev.ferry.manager.store.MigrationStore;
import dev.ferry.manager.store.VmStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Heartbeats: every interval, asks each host's agent for its facts, load and VMs, records them, and
 * marks a host that does not answer as unreachable (with the time). Nothing is restarted elsewhere
 * when a host goes away. Each round starts on the manager's scheduler and beats all hosts in
 * parallel, one virtual thread per host; {@link #beat} is thread-safe.
 *
 * <p>VMs: a VM its lease holder reports updates the inventory; a VM the inventory does not know,
 * found running on a host, is adopted with a lease to that host at the agent's epoch (a host added
 * with VMs on it); a VM another host holds the lease of is reported as a conflict.
 */
public final class HostMonitor {
  private static final Logger log = LoggerFactory.getLogger(HostMonitor.class);

  /** A VM its lease holder stops listing is forgotten only after this (creation races). */
  private static final Duration VANISH_GRACE = Duration.ofSeconds(5);

  private final HostStore hosts;
  private final VmStore vms;
  private final Leases leases;
  private final MigrationStore migrations;
  private final EventLog events;
  private final AgentPool agents;
  private final Clock clock;
  private final List<Consumer<ClusterHost>> beatListeners = new CopyOnWriteArrayList<>();
  private final CpuRates rates = new CpuRates();
  private final Set<String> reportedConflicts = ConcurrentHashMap.newKeySet();

  public HostMonitor(
      HostStore hosts,
      VmStore vms,
      Leases leases,
      MigrationStore migrations,
      EventLog events,
      AgentPool agents,
      Clock clock) {
    this.hosts = hosts;
    this.migrations = migrations;
    this.vms = vms;
    this.leases = leases;
    this.events = events;
    this.agents = agents;
    this.clock = clock;
  }

  /** Calls {@code listener} with each host's record after a heartbeat answered. */
  public void onBeat(Consumer<ClusterHost> listener) {
    beatListeners.add(listener);
  }

  /** Starts the periodic heartbeat. */
  public void start(ScheduledExecutorService scheduler, Duration interval) {
    scheduler.scheduleWithFixedDelay(
        this::beatAllQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * One round: every host's heartbeat on its own virtual thread, so one slow or silent agent (which
   * costs up to the heartbeat timeout) delays no other host; returns when all have answered or
   * timed out, so rounds never overlap.
   */
  private void beatAllQuietly() {
    try (ExecutorService round = Executors.newVirtualThreadPerTaskExecutor()) {
      for (ClusterHost h : hosts.all()) {
        round.execute(
            () -> {
              try {
                beat(h);
              } catch (RuntimeException e) {
                log.warn("Heartbeat of {} failed unexpectedly", h.name(), e);
              }
            });
      }
    } catch (RuntimeException e) {
      log.warn("Heartbeat round failed unexpectedly", e);
    }
  }

  /** One heartbeat of one host; returns whether it answered. */
  public boolean beat(ClusterHost host) {
    AgentClient agent = agents.heartbeat(host.url());
    HostFacts facts;
    HostLoadSample sample;
    List<VmInfo> list;
    try {
      facts = agent.host();
      sample = agent.load();
      list = agent.listVms();
    } catch (RuntimeException e) {
      Instant now = clock.instant();
      if (hosts.unreachable(host.name(), now)) {
        events.record(
            "host-unreachable",
            host.name(),
            "agent at " + host.url() + " stopped answering: " + e.getMessage());
      }
      return false;
    }
    Instant now = clock.instant();
    if (host.status() != ClusterHost.Status.UP) {
      events.record("host-up", host.name(), "agent at " + host.url() + " answers");
    }
    hosts.seen(host.name(), now, facts, load(host.name(), sample, list));
    syncVms(host.name(), list, now);
    hosts.find(host.name()).ifPresent(h -> beatListeners.forEach(l -> l.accept(h)));
    return true;
  }

  private ClusterHost.Load load(String host, HostLoadSample sample, List<VmInfo> list) {
    double cpu = rates.update(host, sample);
    int running = (int) list.stream().filter(v -> v.state().hasProcess()).count();
    return new ClusterHost.Load(
        cpu, sample.cores(), sample.memoryCommitted(), sample.memoryTotal(), list.size(), running);
  }

  /** The CPU (in cores) a VM used over its host's last heartbeat interval. */
  public double vmCpu(String vm) {
    return rates.vm(vm);
  }

  private void syncVms(String host, List<VmInfo> list, Instant now) {
    Map<String, VmStore.Row> known =
        vms.all().stream().collect(Collectors.toMap(r -> r.vm().name(), r -> r));
    Set<String> listed = list.stream().map(v -> v.spec().name()).collect(Collectors.toSet());
    Set<String> migrating =
        migrations.active().stream().map(r -> r.migration().vm()).collect(Collectors.toSet());
    for (VmStore.Row row : known.values()) {
      String name = row.vm().name();
      if (row.vm().host().equals(host)
          && !listed.contains(name)
          && !migrating.contains(name)
          && row.pendingFrom().isEmpty()
          && row.vm().seen().isBefore(now.minus(VANISH_GRACE))) {
        leases.withdraw(name, LeaseCause.VANISHED, host + " no longer lists it");
        events.record("vm-gone", name, host + " no longer has it; removed from the inventory");
      }
    }
    for (VmInfo v : list) {
      String name = v.spec().name();
      VmStore.Row row = known.get(name);
      if (v.state() == VmState.INCOMING) {
        continue;
      }
      if (row == null) {
        if (v.owner().equals(host)) {
          Leases.Grant grant =
              new Leases.Grant(
                  name, host, v.epoch(), v.state(), v.spec().vcpus(), v.spec().memory(), Set.of());
          if (leases.grant(grant, LeaseCause.ADOPTED) instanceof LeaseDecision.Granted) {
            events.record(
                "vm-adopted",
                name,
                "found on " + host + " (" + v.state().text() + "); lease granted to " + host);
          }
        }
      } else if (row.vm().host().equals(host)) {
        vms.observe(name, host, v.state(), v.spec().vcpus(), v.spec().memory(), now);
        reportedConflicts.remove(name + "@" + host);
      } else if (v.state().hasProcess() && reportedConflicts.add(name + "@" + host)) {
        events.record(
            "lease-conflict",
            name,
            "runs on "
                + host
                + " but the lease is "
                + row.vm().host()
                + "'s (epoch "
                + row.vm().epoch()
                + ")");
      }
    }
  }
}
