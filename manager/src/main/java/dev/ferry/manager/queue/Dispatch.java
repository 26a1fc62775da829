package dev.ferry.manager.queue;

import dev.ferry.api.ClusterMigration;
import dev.ferry.api.QueueLimits;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One queue decision, pure: given the running and queued migrations and the limits, which queued
 * ones start now (fair across source hosts: the source that started one least recently goes first,
 * so a host with many VMs queued cannot starve the others), and why each other one waits.
 */
final class Dispatch {

  /** The decision: migrations to start, and the reason for each one left waiting. */
  record Decision(List<ClusterMigration> start, Map<String, String> waiting) {}

  private Dispatch() {}

  static Decision decide(
      List<ClusterMigration> running,
      List<ClusterMigration> queued,
      QueueLimits limits,
      Map<String, Instant> lastStartBySource) {
    Map<String, Integer> out = new HashMap<>();
    Map<String, Integer> in = new HashMap<>();
    for (ClusterMigration m : running) {
      out.merge(m.source(), 1, Integer::sum);
      in.merge(m.destination(), 1, Integer::sum);
    }
    int total = running.size();
    Map<String, Deque<ClusterMigration>> bySource = new LinkedHashMap<>();
    for (ClusterMigration m : queued) {
      bySource.computeIfAbsent(m.source(), s -> new ArrayDeque<>()).add(m);
    }
    List<String> sources = new ArrayList<>(bySource.keySet());
    sources.sort(Comparator.comparing(s -> lastStartBySource.getOrDefault(s, Instant.EPOCH)));
    List<ClusterMigration> start = new ArrayList<>();
    boolean progress = true;
    while (progress && total < limits.cluster()) {
      progress = false;
      for (String source : sources) {
        if (total >= limits.cluster()) {
          break;
        }
        if (out.getOrDefault(source, 0) >= limits.outgoingPerHost()) {
          continue;
        }
        Optional<ClusterMigration> next =
            bySource.get(source).stream()
                .filter(m -> in.getOrDefault(m.destination(), 0) < limits.incomingPerHost())
                .findFirst();
        if (next.isPresent()) {
          ClusterMigration m = next.get();
          bySource.get(source).remove(m);
          start.add(m);
          out.merge(m.source(), 1, Integer::sum);
          in.merge(m.destination(), 1, Integer::sum);
          total++;
          progress = true;
        }
      }
    }
    Map<String, String> waiting = new LinkedHashMap<>();
    for (Deque<ClusterMigration> d : bySource.values()) {
      for (ClusterMigration m : d) {
        waiting.put(m.id(), reason(m, out, in, total, limits));
      }
    }
    return new Decision(List.copyOf(start), waiting);
  }

  private static String reason(
      ClusterMigration m,
      Map<String, Integer> out,
      Map<String, Integer> in,
      int total,
      QueueLimits limits) {
    if (total >= limits.cluster()) {
      return "waiting: "
          + total
          + " migrations run in the cluster (limit "
          + limits.cluster()
          + ")";
    }
    int o = out.getOrDefault(m.source(), 0);
    if (o >= limits.outgoingPerHost()) {
      return "waiting: "
          + m.source()
          + " already sends "
          + o
          + " (limit "
          + limits.outgoingPerHost()
          + " outgoing per host)";
    }
    int i = in.getOrDefault(m.destination(), 0);
    if (i >= limits.incomingPerHost()) {
      return "waiting: "
          + m.destination()
          + " already receives "
          + i
          + " (limit "
          + limits.incomingPerHost()
          + " incoming per host)";
    }
    return "waiting: behind earlier migrations from " + m.source();
  }
}
