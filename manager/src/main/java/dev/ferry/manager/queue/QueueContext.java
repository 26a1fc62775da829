package dev.ferry.manager.queue;

import dev.ferry.api.AgentClient;
import dev.ferry.api.ClusterHost;
import dev.ferry.api.ClusterMigration;
import dev.ferry.manager.ManagerException;
import dev.ferry.manager.hosts.AgentPool;
import dev.ferry.manager.store.HostStore;
import dev.ferry.manager.store.MigrationStore;

/** What the queue's parts share: the inventory, the agents, the recorder and the timings. */
record QueueContext(
    MigrationStore store,
    HostStore hosts,
    AgentPool agents,
    QueueRecorder recorder,
    QueueTimings timings) {

  MigrationStore.Row row(String id) {
    return store
        .find(id)
        .orElseThrow(() -> new ManagerException(404, "no migration with id '" + id + "'"));
  }

  ClusterMigration migration(String id) {
    return row(id).migration();
  }

  String url(String host) {
    return hosts
        .find(host)
        .map(ClusterHost::url)
        .orElseThrow(() -> new ManagerException(404, "no host named '" + host + "'"));
  }

  /** A client with a long timeout, for starting and aborting. */
  AgentClient operations(String host) {
    return agents.operations(url(host));
  }

  /** A client with a short timeout, for reading records and the event stream. */
  AgentClient reader(String host) {
    return agents.heartbeat(url(host));
  }
}
