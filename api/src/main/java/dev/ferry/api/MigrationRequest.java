package dev.ferry.api;

import dev.ferry.migration.MigrationSettings;
import java.util.Optional;

/**
 * Asks a source agent to live-migrate one of its VMs.
 *
 * @param destinationHost the destination's host name (for records and checks)
 * @param destinationAgent the destination agent's URL as the source agent reaches it
 * @param settings bandwidth, downtime, policy; defaults when absent
 */
public record MigrationRequest(
    String destinationHost, String destinationAgent, Optional<MigrationSettings> settings) {
  public MigrationRequest {
    settings = settings == null ? Optional.empty() : settings;
  }
}
