package dev.ferry.manager.balance.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeout;

import dev.ferry.manager.balance.BalancePlan;
import dev.ferry.manager.balance.Balancer;
import dev.ferry.manager.balance.BalancerSettings;
import dev.ferry.manager.balance.ClusterSnapshot;
import dev.ferry.manager.balance.Evacuation;
import dev.ferry.manager.balance.EvacuationPlan;
import dev.ferry.manager.balance.HostLoad;
import dev.ferry.manager.balance.LoadMetric;
import dev.ferry.manager.balance.Recommendation;
import dev.ferry.manager.balance.Rule;
import dev.ferry.manager.balance.RuleViolations;
import dev.ferry.manager.balance.VmLoad;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SimulationTest {

  private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

  @Test
  void theGeneratorIsDeterministicAndUneven() {
    ClusterSnapshot one = SyntheticCluster.generate(60, 1_200, 7);
    ClusterSnapshot two = SyntheticCluster.generate(60, 1_200, 7);

    assertThat(one).isEqualTo(two);
    assertThat(one.vms()).hasSize(1_200);
    assertThat(one.rules()).isNotEmpty();
    assertThat(RuleViolations.find(one)).isNotEmpty();
    assertThat(LoadMetric.imbalance(one)).isGreaterThan(0.1);
  }

  @Test
  void aPassOverAThousandHostsIsQuickAndLeavesNoViolations() {
    ClusterSnapshot snapshot = SyntheticCluster.generate(1_000, 20_000, 42);

    BalancePlan plan =
        assertTimeout(
            Duration.ofSeconds(30),
            () -> Balancer.recommend(snapshot, BalancerSettings.defaults(), NOW));

    ClusterSnapshot after = replayChecked(snapshot, plan.moves());
    assertThat(RuleViolations.find(snapshot)).isNotEmpty();
    assertThat(RuleViolations.find(after)).isEmpty();
    assertThat(plan.moves()).hasSize(16);
    assertThat(plan.imbalanceAfter()).isLessThan(plan.imbalanceBefore());
    assertThat(LoadMetric.imbalance(after))
        .isCloseTo(plan.imbalanceAfter(), org.assertj.core.api.Assertions.within(1e-9));
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void unlimitedPassesOnRandomClustersRespectEveryConstraintAndNeverPingPong(long seed) {
    ClusterSnapshot snapshot = SyntheticCluster.generate(40, 800, seed);
    BalancerSettings settings =
        BalancerSettings.defaults().withAggressiveness(5).withMaxMovesPerPass(500);

    BalancePlan first = Balancer.recommend(snapshot, settings, NOW);
    ClusterSnapshot after = replayChecked(snapshot, first.moves());
    BalancePlan second = Balancer.recommend(after, settings, NOW.plus(Duration.ofMinutes(5)));

    assertThat(RuleViolations.find(after)).isEmpty();
    assertThat(first.imbalanceAfter()).isLessThan(first.imbalanceBefore() / 2);
    assertNoBalancingMoveLeavesAPreferredGroup(snapshot, first.moves());
    assertThat(second.moves()).isEmpty();
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {11, 12, 13})
  void repeatedShortPassesNeverReverseEarlierMoves(long seed) {
    ClusterSnapshot snapshot = SyntheticCluster.generate(50, 1_000, seed);
    BalancerSettings settings = BalancerSettings.defaults().withMaxMovesPerPass(4);
    Set<String> travelled = new HashSet<>();
    Set<String> movedVms = new HashSet<>();
    Instant now = NOW;
    for (int pass = 0; pass < 6; pass++) {
      BalancePlan plan = Balancer.recommend(snapshot, settings, now);
      for (Recommendation m : plan.moves()) {
        assertThat(travelled).doesNotContain(m.to() + ">" + m.from());
        assertThat(movedVms).doesNotContain(m.vm());
        travelled.add(m.from() + ">" + m.to());
        movedVms.add(m.vm());
      }
      snapshot = replayChecked(snapshot, plan.moves());
      now = now.plus(Duration.ofMinutes(5));
    }
    assertThat(movedVms).isNotEmpty();
    assertThat(RuleViolations.find(snapshot)).isEmpty();
  }

  @Test
  void evacuatingAnyHostKeepsEveryRule() {
    ClusterSnapshot snapshot = SyntheticCluster.generate(30, 600, 3);
    snapshot =
        snapshot.applying(
            Balancer.recommend(snapshot, BalancerSettings.defaults().withMaxMovesPerPass(100), NOW)
                .moves(),
            NOW);
    for (HostLoad host : snapshot.hosts()) {
      EvacuationPlan plan = Evacuation.plan(snapshot, host.name());
      List<Recommendation> moves =
          plan.moves().stream()
              .map(m -> new Recommendation(m.vm(), m.from(), m.to(), 0, 0, m.reason()))
              .toList();
      ClusterSnapshot after = replayChecked(snapshot, moves);
      assertThat(RuleViolations.find(after)).as(host.name()).isEmpty();
      Set<String> stuck = new HashSet<>();
      plan.stuck().forEach(u -> stuck.add(u.vm()));
      assertThat(after.vms())
          .filteredOn(v -> v.host().equals(host.name()))
          .extracting(VmLoad::name)
          .as(host.name())
          .containsExactlyInAnyOrderElementsOf(stuck);
    }
  }

  private static void assertNoBalancingMoveLeavesAPreferredGroup(
      ClusterSnapshot snapshot, List<Recommendation> moves) {
    for (Rule rule : snapshot.rules()) {
      if (rule instanceof Rule.VmHostGroup g && !g.mandatory()) {
        for (Recommendation m : moves) {
          if (g.vms().contains(m.vm()) && g.hosts().contains(m.from())) {
            assertThat(g.hosts()).as(m.toString()).contains(m.to());
          }
        }
      }
    }
  }

  /** Applies the moves, checking each keeps to schedulable, compatible hosts with room. */
  static ClusterSnapshot replayChecked(ClusterSnapshot snapshot, List<Recommendation> moves) {
    Map<String, HostLoad> hosts = new HashMap<>();
    snapshot.hosts().forEach(h -> hosts.put(h.name(), h));
    Map<String, VmLoad> vms = new HashMap<>();
    Map<String, Long> used = new HashMap<>();
    for (VmLoad v : snapshot.vms()) {
      vms.put(v.name(), v);
      used.merge(v.host(), v.memoryBytes(), Long::sum);
    }
    for (Recommendation m : moves) {
      HostLoad to = hosts.get(m.to());
      VmLoad vm = vms.get(m.vm());
      assertThat(vm.movable()).as(m.toString()).isTrue();
      assertThat(to.schedulable()).as(m.toString()).isTrue();
      assertThat(to.compatibility())
          .as(m.toString())
          .isEqualTo(hosts.get(m.from()).compatibility());
      long after = used.getOrDefault(to.name(), 0L) + vm.memoryBytes();
      assertThat(after).as(m.toString()).isLessThanOrEqualTo(to.usableMemoryBytes());
      used.merge(m.from(), -vm.memoryBytes(), Long::sum);
      used.put(to.name(), after);
    }
    return snapshot.applying(moves, NOW);
  }
}
