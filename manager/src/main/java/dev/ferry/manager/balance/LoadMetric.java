package dev.ferry.manager.balance;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How loaded a host is and how uneven the cluster is, as the balancer measures them.
 *
 * <p>A host's load is the larger of its CPU share (cores used / cores) and its memory share (memory
 * committed / memory): the scarcer resource is what limits a host, so a host full of memory but
 * idle is as loaded as a host with CPUs pegged. The cluster's imbalance is the population standard
 * deviation of load over schedulable hosts (as VMware DRS does); hosts that are down or in
 * maintenance do not count.
 */
public final class LoadMetric {

  private LoadMetric() {}

  /** A host's load with this CPU use and committed memory: max(cpu / cores, memory / memory). */
  public static double load(HostLoad host, double cpuCores, long memoryBytes) {
    return Math.max(cpuCores / host.cores(), memoryBytes / (double) host.memoryBytes());
  }

  /** Every host's load, in the snapshot's host order. */
  public static Map<String, Double> loads(ClusterSnapshot snapshot) {
    Map<String, double[]> use = new HashMap<>();
    for (HostLoad h : snapshot.hosts()) {
      use.put(h.name(), new double[2]);
    }
    for (VmLoad v : snapshot.vms()) {
      double[] u = use.get(v.host());
      u[0] += v.cpuCores();
      u[1] += v.memoryBytes();
    }
    Map<String, Double> loads = new LinkedHashMap<>();
    for (HostLoad h : snapshot.hosts()) {
      double[] u = use.get(h.name());
      loads.put(h.name(), load(h, u[0], (long) u[1]));
    }
    return loads;
  }

  /** The standard deviation of load over the snapshot's schedulable hosts (0 with none). */
  public static double imbalance(ClusterSnapshot snapshot) {
    Map<String, Double> loads = loads(snapshot);
    double sum = 0;
    double squares = 0;
    int n = 0;
    for (HostLoad h : snapshot.hosts()) {
      if (h.schedulable()) {
        double l = loads.get(h.name());
        sum += l;
        squares += l * l;
        n++;
      }
    }
    return n == 0 ? 0 : Math.sqrt(Math.max(0, squares / n - (sum / n) * (sum / n)));
  }
}
