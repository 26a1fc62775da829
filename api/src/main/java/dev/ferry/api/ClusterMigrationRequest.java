package dev.ferry.api;

import dev.ferry.migration.MigrationSettings;
import java.util.Optional;

/**
 * Asks the manager to live-migrate a VM. It queues the request until the per-host and cluster
 * limits allow it to start.
 *
 * @param vm the VM's name
 * @param to the destination host, or empty to let placement choose
 * @param settings the migration's policy (bandwidth, downtime, timeout...), as for an agent
 */
public record ClusterMigrationRequest(
    String vm, Optional<String> to, Optional<MigrationSettings> settings) {
  public ClusterMigrationRequest {
    to = to == null ? Optional.empty() : to;
    settings = settings == null ? Optional.empty() : settings;
  }
}
