package dev.ferry.api;

import java.util.List;
import java.util.Optional;

/**
 * The evacuation of a host entering maintenance: one line per VM that was on it.
 *
 * @param host the host
 * @param state the host's maintenance state
 * @param vms what happens to each VM
 */
public record MaintenanceStatus(String host, ClusterHost.Maintenance state, List<Item> vms) {

  /**
   * @param vm the VM
   * @param destination where placement sends it
   * @param migration the cluster migration moving it
   * @param status queued, running, completed, failed, stuck
   * @param reason why it is stuck or failed
   */
  public record Item(
      String vm,
      Optional<String> destination,
      Optional<String> migration,
      String status,
      Optional<String> reason) {}

  public long done() {
    return vms.stream().filter(i -> i.status().equals("completed")).count();
  }
}
