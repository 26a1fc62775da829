package dev.ferry.manager.hosts;

import dev.ferry.api.AgentClient;
import dev.ferry.api.AgentEndpoint;
import dev.ferry.api.ClusterHost;
import dev.ferry.api.HostFacts;
import dev.ferry.api.ManagerBinding;
import dev.ferry.manager.ManagerException;
import dev.ferry.manager.store.EventLog;
import dev.ferry.manager.store.HostStore;
import dev.ferry.manager.store.VmStore;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Adding and removing hosts. Adding one asks its agent for its facts and binds the agent to this
 * manager (so it obeys the manager's leases); its VMs are adopted by the next heartbeat.
 */
public final class HostService {
  private final HostStore hosts;
  private final VmStore vms;
  private final EventLog events;
  private final AgentPool agents;
  private final HostMonitor monitor;
  private final Clock clock;
  private final String advertisedUrl;

  /**
   * @param advertisedUrl how agents reach this manager
   */
  public HostService(
      HostStore hosts,
      VmStore vms,
      EventLog events,
      AgentPool agents,
      HostMonitor monitor,
      Clock clock,
      String advertisedUrl) {
    this.hosts = hosts;
    this.vms = vms;
    this.events = events;
    this.agents = agents;
    this.monitor = monitor;
    this.clock = clock;
    this.advertisedUrl = advertisedUrl;
  }

  public List<ClusterHost> list() {
    return hosts.all();
  }

  public ClusterHost get(String name) {
    return hosts
        .find(name)
        .orElseThrow(() -> new ManagerException(404, "no host named '" + name + "'"));
  }

  /** Adds (or re-adds) the host whose agent answers at {@code url}. */
  public ClusterHost add(String url) {
    AgentEndpoint endpoint;
    try {
      endpoint = AgentEndpoint.parse(url);
    } catch (IllegalArgumentException e) {
      throw new ManagerException(400, e.getMessage());
    }
    if (!(endpoint instanceof AgentEndpoint.Tcp)) {
      throw new ManagerException(
          400, "host URL '" + url + "' must be http://HOST:PORT: agents talk to each other by it");
    }
    String normalized = endpoint.toString();
    AgentClient agent = agents.operations(normalized);
    HostFacts facts;
    try {
      facts = agent.host();
    } catch (RuntimeException e) {
      throw new ManagerException(502, "no agent answers at " + normalized + ": " + e.getMessage());
    }
    Optional<ClusterHost> sameUrl =
        hosts.all().stream()
            .filter(h -> h.url().equals(normalized) && !h.name().equals(facts.hostname()))
            .findFirst();
    if (sameUrl.isPresent()) {
      throw new ManagerException(
          409, normalized + " is already host " + sameUrl.get().name() + " in this cluster");
    }
    agent.bindManager(new ManagerBinding(Optional.of(advertisedUrl), facts.hostname()));
    Instant now = clock.instant();
    ClusterHost host =
        new ClusterHost(
            facts.hostname(),
            normalized,
            ClusterHost.Status.UP,
            now,
            Optional.of(now),
            ClusterHost.Maintenance.NONE,
            Optional.of(facts),
            Optional.empty());
    boolean known = hosts.find(facts.hostname()).isPresent();
    hosts.upsert(host, now);
    events.record(
        known ? "host-updated" : "host-added",
        facts.hostname(),
        "agent at "
            + normalized
            + " ("
            + facts.cpu().model()
            + ", "
            + facts.memory().total()
            + ")");
    monitor.beat(get(facts.hostname()));
    return get(facts.hostname());
  }

  /** Removes a host that has no VM; its agent is unbound (best effort if it is unreachable). */
  public void remove(String name) {
    ClusterHost host = get(name);
    List<String> left =
        vms.all().stream().filter(r -> r.vm().host().equals(name)).map(r -> r.vm().name()).toList();
    if (!left.isEmpty()) {
      throw new ManagerException(
          409,
          "host "
              + name
              + " still holds the lease of "
              + left.size()
              + " VM(s): "
              + String.join(", ", left)
              + "; put it into maintenance first");
    }
    try {
      agents.operations(host.url()).bindManager(new ManagerBinding(Optional.empty(), name));
    } catch (RuntimeException e) {
      events.record("host-unbind-failed", name, "could not unbind the agent: " + e.getMessage());
    }
    hosts.delete(name);
    events.record("host-removed", name, "removed from the cluster");
  }
}
