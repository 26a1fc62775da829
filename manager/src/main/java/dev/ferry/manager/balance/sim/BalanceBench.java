package dev.ferry.manager.balance.sim;

import dev.ferry.manager.balance.BalancePlan;
import dev.ferry.manager.balance.Balancer;
import dev.ferry.manager.balance.BalancerSettings;
import dev.ferry.manager.balance.ClusterSnapshot;
import dev.ferry.manager.balance.Evacuation;
import dev.ferry.manager.balance.EvacuationPlan;
import dev.ferry.manager.balance.LoadMetric;
import dev.ferry.manager.balance.RuleViolations;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Times the balancer on synthetic clusters and prints Markdown tables: one default balancing pass
 * (MANUAL, aggressiveness 3, 16 moves) and one left to run until balanced, per cluster size, and
 * the evacuation plan of the most loaded host. Run by {@code scripts/bench-balance}.
 *
 * <p>Arguments: none, or {@code hosts:vms} pairs (e.g. {@code 100:2000 1000:20000}).
 */
public final class BalanceBench {

  private static final long SEED = 42;
  private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");
  private static final int RUNS = 5;

  private BalanceBench() {}

  private record Row(
      String cluster,
      double passMillis,
      int moves,
      double before,
      double after,
      int violationsBefore,
      int violationsAfter,
      String evacHost,
      int evacVms,
      int evacMoves,
      int evacStuck,
      double evacMillis,
      double fullMillis,
      int fullMoves,
      double fullAfter,
      int fullViolations) {}

  public static void main(String[] args) {
    int[][] sizes = {{100, 2_000}, {1_000, 20_000}, {2_000, 40_000}};
    if (args.length > 0) {
      sizes = new int[args.length][];
      for (int i = 0; i < args.length; i++) {
        String[] parts = args[i].split(":");
        sizes[i] = new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
      }
    }
    warmUp();
    List<Row> rows = new ArrayList<>();
    for (int[] size : sizes) {
      rows.add(measure(size[0], size[1]));
    }
    print(rows);
  }

  private static void warmUp() {
    ClusterSnapshot small = SyntheticCluster.generate(100, 2_000, SEED + 1);
    BalancerSettings unlimited = BalancerSettings.defaults().withMaxMovesPerPass(100_000);
    for (int i = 0; i < 30; i++) {
      Balancer.recommend(small, BalancerSettings.defaults(), NOW);
      Balancer.recommend(small, unlimited, NOW);
      Evacuation.plan(small, small.hosts().get(i % 10).name());
    }
  }

  private static Row measure(int hosts, int vms) {
    ClusterSnapshot snapshot = SyntheticCluster.generate(hosts, vms, SEED);
    BalancerSettings settings = BalancerSettings.defaults();
    for (int i = 0; i < 3; i++) {
      Balancer.recommend(snapshot, settings, NOW); // warm up at this size too
    }
    double passMillis = medianMillis(() -> Balancer.recommend(snapshot, settings, NOW), RUNS);
    BalancePlan plan = Balancer.recommend(snapshot, settings, NOW);
    ClusterSnapshot after = snapshot.applying(plan.moves(), NOW);

    BalancerSettings unlimited = settings.withMaxMovesPerPass(100_000);
    double fullMillis = medianMillis(() -> Balancer.recommend(snapshot, unlimited, NOW), 3);
    BalancePlan full = Balancer.recommend(snapshot, unlimited, NOW);
    ClusterSnapshot fullAfter = snapshot.applying(full.moves(), NOW);

    String hot = mostLoaded(snapshot);
    double evacMillis = medianMillis(() -> Evacuation.plan(snapshot, hot), 11);
    EvacuationPlan evac = Evacuation.plan(snapshot, hot);
    int onHot = (int) snapshot.vms().stream().filter(v -> v.host().equals(hot)).count();

    return new Row(
        String.format(Locale.ROOT, "%,d hosts / %,d VMs", hosts, snapshot.vms().size()),
        passMillis,
        plan.moves().size(),
        plan.imbalanceBefore(),
        plan.imbalanceAfter(),
        RuleViolations.find(snapshot).size(),
        RuleViolations.find(after).size(),
        hot,
        onHot,
        evac.moves().size(),
        evac.stuck().size(),
        evacMillis,
        fullMillis,
        full.moves().size(),
        full.imbalanceAfter(),
        RuleViolations.find(fullAfter).size());
  }

  private static String mostLoaded(ClusterSnapshot snapshot) {
    Map<String, Double> loads = LoadMetric.loads(snapshot);
    return snapshot.hosts().stream()
        .filter(h -> h.schedulable())
        .max((a, b) -> Double.compare(loads.get(a.name()), loads.get(b.name())))
        .orElseThrow()
        .name();
  }

  /** Median wall time of {@code runs} runs after one untimed run. */
  private static double medianMillis(Supplier<?> work, int runs) {
    work.get();
    double[] millis = new double[runs];
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      work.get();
      millis[i] = (System.nanoTime() - start) / 1e6;
    }
    Arrays.sort(millis);
    return millis[runs / 2];
  }

  private static void print(List<Row> rows) {
    System.out.println(
        "One balancing pass (MANUAL, aggressiveness 3, 1 h no-repeat window, at most 16 moves),"
            + " median of "
            + RUNS
            + " runs after a warm-up; evacuation of the most loaded host, median of 11:");
    System.out.println();
    System.out.println(
        "| Cluster | Pass time | Moves | Imbalance before → after | Rule violations before →"
            + " after | Evacuation of most loaded host | Evacuation plan time |");
    System.out.println("|---|---:|---:|---|---|---|---:|");
    for (Row r : rows) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %.1f ms | %d | %.4f → %.4f | %d → %d | %s: %d VMs, %d moves, %d stuck | %.2f ms"
              + " |%n",
          r.cluster(),
          r.passMillis(),
          r.moves(),
          r.before(),
          r.after(),
          r.violationsBefore(),
          r.violationsAfter(),
          r.evacHost(),
          r.evacVms(),
          r.evacMoves(),
          r.evacStuck(),
          r.evacMillis());
    }
    System.out.println();
    System.out.println(
        "The same pass with no move limit (maxMovesPerPass 100,000), run until no move clears"
            + " the threshold, median of 3:");
    System.out.println();
    System.out.println(
        "| Cluster | Pass time | Moves | Imbalance before → after | Rule violations after |");
    System.out.println("|---|---:|---:|---|---:|");
    for (Row r : rows) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %.1f ms | %d | %.4f → %.4f | %d |%n",
          r.cluster(),
          r.fullMillis(),
          r.fullMoves(),
          r.before(),
          r.fullAfter(),
          r.fullViolations());
    }
  }
}
