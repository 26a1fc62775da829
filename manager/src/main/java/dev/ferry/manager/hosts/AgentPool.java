package dev.ferry.manager.hosts;

import dev.ferry.api.AgentClient;
import dev.ferry.api.AgentEndpoint;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/** One {@link AgentClient} per agent URL, shared by the manager's components. Thread-safe. */
public final class AgentPool implements AutoCloseable {
  private final ConcurrentHashMap<String, AgentClient> quick = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, AgentClient> slow = new ConcurrentHashMap<>();
  private final Duration heartbeatTimeout;

  /**
   * @param heartbeatTimeout the timeout of heartbeat requests; operations get a long one
   */
  public AgentPool(Duration heartbeatTimeout) {
    this.heartbeatTimeout = heartbeatTimeout;
  }

  /** A client with a short timeout, for heartbeats. */
  public AgentClient heartbeat(String url) {
    return quick.computeIfAbsent(
        url, u -> new AgentClient(AgentEndpoint.parse(u), heartbeatTimeout));
  }

  /** A client with the agent's long default timeout, for operations (create, migrate). */
  public AgentClient operations(String url) {
    return slow.computeIfAbsent(url, u -> new AgentClient(AgentEndpoint.parse(u)));
  }

  @Override
  public void close() {
    quick.values().forEach(AgentClient::close);
    slow.values().forEach(AgentClient::close);
  }
}
