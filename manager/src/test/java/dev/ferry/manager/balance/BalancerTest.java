package dev.ferry.manager.balance;

import static dev.ferry.manager.balance.Fixture.CLASS_A;
import static dev.ferry.manager.balance.Fixture.CLASS_B;
import static dev.ferry.manager.balance.Fixture.GIB;
import static dev.ferry.manager.balance.Fixture.MIB;
import static dev.ferry.manager.balance.Fixture.NOW;
import static dev.ferry.manager.balance.Fixture.replayChecked;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BalancerTest {

  private static final BalancerSettings DEFAULTS = BalancerSettings.defaults();

  /** host-a at 75 % memory, three hosts at 12.5 %. */
  private static Fixture uneven() {
    return new Fixture()
        .host("host-a")
        .host("host-b")
        .host("host-c")
        .host("host-d")
        .vms("a", 12, "host-a", 4)
        .vms("b", 2, "host-b", 4)
        .vms("c", 2, "host-c", 4)
        .vms("d", 2, "host-d", 4);
  }

  private static List<String> movedVms(BalancePlan plan) {
    return plan.moves().stream().map(Recommendation::vm).toList();
  }

  @Test
  void movesReduceImbalanceOnAnUnevenCluster() {
    ClusterSnapshot snapshot = uneven().snapshot();

    BalancePlan plan = Balancer.recommend(snapshot, DEFAULTS, NOW);

    assertThat(plan.moves()).isNotEmpty();
    assertThat(plan.moves()).allSatisfy(m -> assertThat(m.from()).isEqualTo("host-a"));
    assertThat(plan.imbalanceAfter()).isLessThan(plan.imbalanceBefore() / 2);
    assertThat(plan.imbalanceBefore()).isCloseTo(LoadMetric.imbalance(snapshot), within(1e-9));
    ClusterSnapshot after = replayChecked(snapshot, plan.moves());
    assertThat(plan.imbalanceAfter()).isCloseTo(LoadMetric.imbalance(after), within(1e-9));
    assertThat(plan.moves())
        .allSatisfy(
            m ->
                assertThat(m.reason())
                    .startsWith("host-a at ")
                    .contains("memory vs cluster mean load")
                    .contains("moving " + m.vm() + " (4 GiB, dirtying 10 MiB/s")
                    .contains("to " + m.to())
                    .contains("lowers imbalance"));
    assertThat(plan.moves()).allSatisfy(m -> assertThat(m.benefit()).isGreaterThan(m.cost()));
  }

  @Test
  void neverMovesToUnschedulableOrIncompatibleHosts() {
    ClusterSnapshot snapshot =
        new Fixture()
            .host("host-a")
            .host("host-b", 16, 64, CLASS_B, true)
            .host("host-c", 16, 64, CLASS_A, false)
            .host("host-d")
            .vms("a", 12, "host-a", 4)
            .vms("d", 5, "host-d", 4)
            .snapshot();

    BalancePlan plan = Balancer.recommend(snapshot, DEFAULTS.withAggressiveness(5), NOW);

    assertThat(plan.moves()).isNotEmpty().allSatisfy(m -> assertThat(m.to()).isEqualTo("host-d"));
  }

  @Test
  void neverFillsADestinationPastItsMemoryHeadroom() {
    ClusterSnapshot snapshot =
        new Fixture()
            .host("host-a")
            .host("host-b")
            .vm("big", "host-a", 0.5, 16 * GIB, 10 * MIB, true)
            .vms("a", 11, "host-a", 4) // host-a: 60 GiB, 94 %
            .vms("b", 13, "host-b", 4) // host-b: 52 GiB, 81 %; 8.8 GiB free under the headroom
            .snapshot();

    BalancePlan plan = Balancer.recommend(snapshot, DEFAULTS.withAggressiveness(5), NOW);

    assertThat(movedVms(plan)).hasSize(1).doesNotContain("big");
    replayChecked(snapshot, plan.moves());
  }

  @Test
  void keepsAntiAffinityMembersApart() {
    ClusterSnapshot snapshot =
        new Fixture()
            .host("host-a")
            .host("host-b")
            .host("host-c")
            .vm("web-1", "host-a", 0.5, 8 * GIB, 10 * MIB, true)
            .vm("pinned-a", "host-a", 4, 40 * GIB, 0, false)
            .vm("web-2", "host-b", 0.5, 4 * GIB, 10 * MIB, true) // the coolest host
            .vm("pinned-c", "host-c", 2, 20 * GIB, 0, false)
            .rule(Fixture.antiAffinity("web-spread", "web-1", "web-2"))
            .snapshot();

    BalancePlan plan = Balancer.recommend(snapshot, DEFAULTS.withAggressiveness(5), NOW);

    assertThat(plan.moves()).extracting(Recommendation::vm).containsExactly("web-1");
    assertThat(plan.moves().get(0).to()).isEqualTo("host-c");
    assertThat(RuleViolations.find(replayChecked(snapshot, plan.moves()))).isEmpty();
  }

  @Test
  void movesAnAffinityGroupOnlyAsAWholeToOneHost() {
    ClusterSnapshot snapshot =
        new Fixture()
            .host("host-a")
            .host("host-b")
            .host("host-c")
            .vm("db-1", "host-a", 0.5, 8 * GIB, 10 * MIB, true)
            .vm("db-2", "host-a", 0.5, 8 * GIB, 10 * MIB, true)
            .vm("pinned-a", "host-a", 4, 32 * GIB, 0, false)
            .vm("b-1", "host-b", 0.5, 4 * GIB, 0, false)
            .vm("c-1", "host-c", 0.5, 4 * GIB, 0, false)
            .rule(Fixture.affinity("db-pair", "db-1", "db-2"))
            .snapshot();

    BalancePlan plan = Balancer.recommend(snapshot, DEFAULTS, NOW);

    assertThat(movedVms(plan)).containsExactlyInAnyOrder("db-1", "db-2");
    assertThat(plan.moves().get(0).to()).isEqualTo(plan.moves().get(1).to());
    assertThat(plan.moves())
        .allSatisfy(
            m -> assertThat(m.reason()).contains("with its affinity group db-pair (db-1, db-2)"));
    assertThat(RuleViolations.find(replayChecked(snapshot, plan.moves()))).isEmpty();
  }

  @ParameterizedTest(name = "mandatory={0}")
  @ValueSource(booleans = {true, false})
  void keepsAVmInsideItsHostGroupWhenBalancing(boolean mandatory) {
    ClusterSnapshot snapshot =
        new Fixture()
            .host("host-a")
            .host("host-b")
            .host("host-c")
            .vm("db-1", "host-a", 0.5, 8 * GIB, 10 * MIB, true)
            .vm("pinned-a", "host-a", 4, 40 * GIB, 0, false)
            .vm("b-1", "host-b", 0.5, 4 * GIB, 10 * MIB, true) // the coolest host, outside
            .vm("pinned-c", "host-c", 2, 20 * GIB, 0, false)
            .rule(Fixture.hostGroup("db-hosts", mandatory, Set.of("db-1"), "host-a", "host-c"))
            .snapshot();

    BalancePlan plan = Balancer.recommend(snapshot, DEFAULTS.withAggressiveness(5), NOW);

    assertThat(plan.moves()).extracting(Recommendation::vm).containsExactly("db-1");
    assertThat(plan.moves().get(0).to()).isEqualTo("host-c");
  }

  @Test
  void fixesAVmOutsideItsMandatoryHostGroupFirstAndNamesTheRule() {
    ClusterSnapshot snapshot =
        uneven()
            .vm("db-1", "host-b", 0.5, 4 * GIB, 10 * MIB, true)
            .rule(Fixture.hostGroup("db-hosts", true, Set.of("db-1"), "host-c", "host-d"))
            .snapshot();

    BalancePlan plan = Balancer.recommend(snapshot, DEFAULTS.withAggressiveness(1), NOW);

    Recommendation first = plan.moves().get(0);
    assertThat(first.vm()).isEqualTo("db-1");
    assertThat(first.to()).isIn("host-c", "host-d");
    assertThat(first.reason())
        .startsWith("fixes mandatory host group rule db-hosts: db-1 runs on host-b, outside");
    assertThat(RuleViolations.find(replayChecked(snapshot, plan.moves()))).isEmpty();
  }

  @Test
  void separatesAntiAffinityMembersEvenWhenBalancingWouldNotMoveThem() {
    ClusterSnapshot snapshot =
        new Fixture()
            .host("host-a")
            .host("host-b")
            .host("host-c")
            .vms("a", 3, "host-a", 4)
            .vms("b", 3, "host-b", 4)
            .vms("c", 3, "host-c", 4)
            .vm("web-1", "host-a", 0.5, 4 * GIB, 10 * MIB, true)
            .vm("web-2", "host-a", 0.5, 2 * GIB, 10 * MIB, true)
            .rule(Fixture.antiAffinity("web-spread", "web-1", "web-2"))
            .snapshot();

    BalancePlan plan = Balancer.recommend(snapshot, DEFAULTS.withAggressiveness(1), NOW);

    assertThat(plan.moves()).hasSize(1);
    assertThat(plan.moves().get(0).vm()).isEqualTo("web-2"); // the quicker one to migrate
    assertThat(plan.moves().get(0).reason())
        .startsWith("fixes anti-affinity rule web-spread: web-2 shares host-a with web-1");
    assertThat(RuleViolations.find(replayChecked(snapshot, plan.moves()))).isEmpty();
  }

  @Test
  void reunitesASplitAffinityGroupWhereMostOfItRuns() {
    ClusterSnapshot snapshot =
        new Fixture()
            .host("host-a")
            .host("host-b")
            .vm("db-1", "host-a", 0.5, 8 * GIB, 10 * MIB, true)
            .vm("db-2", "host-b", 0.5, 2 * GIB, 10 * MIB, true)
            .rule(Fixture.affinity("db-pair", "db-1", "db-2"))
            .snapshot();

    BalancePlan plan = Balancer.recommend(snapshot, DEFAULTS.withAggressiveness(1), NOW);

    assertThat(plan.moves()).hasSize(1);
    Recommendation fix = plan.moves().get(0);
    assertThat(fix.vm()).isEqualTo("db-2");
    assertThat(fix.to()).isEqualTo("host-a");
    assertThat(fix.reason()).startsWith("fixes affinity rule db-pair: db-2 runs on host-b");
  }

  @Test
  void saysWhyABrokenRuleCannotBeFixed() {
    ClusterSnapshot snapshot =
        new Fixture()
            .host("host-a")
            .host("host-b")
            .vm("web-1", "host-a", 0.5, 4 * GIB, 10 * MIB, true)
            .vm("web-2", "host-a", 0.5, 4 * GIB, 10 * MIB, true)
            .vm("web-3", "host-b", 0.5, 4 * GIB, 10 * MIB, true)
            .rule(Fixture.antiAffinity("web-spread", "web-1", "web-2", "web-3"))
            .snapshot();

    BalancePlan plan = Balancer.recommend(snapshot, DEFAULTS, NOW);

    assertThat(plan.moves()).isEmpty();
    assertThat(plan.notes())
        .anySatisfy(
            n ->
                assertThat(n)
                    .startsWith("cannot fix anti-affinity rule web-spread")
                    .contains("host-b: runs web-3 (anti-affinity rule web-spread)"));
  }

  @Test
  void offModeProposesNothingAndSaysSo() {
    ClusterSnapshot snapshot = uneven().snapshot();

    BalancePlan plan =
        Balancer.recommend(snapshot, DEFAULTS.withMode(BalancerSettings.Mode.OFF), NOW);

    assertThat(plan.moves()).isEmpty();
    assertThat(plan.notes()).containsExactly("balancing is off (mode OFF): nothing proposed");
    assertThat(plan.imbalanceAfter()).isEqualTo(plan.imbalanceBefore()).isGreaterThan(0);
  }

  @Test
  void doesNotMoveVmsMovedWithinTheNoRepeatWindow() {
    Fixture fixture = uneven();
    for (int i = 1; i <= 12; i++) {
      fixture.movedRecently("a-" + i, "host-x", "host-a", NOW.minus(Duration.ofMinutes(30)));
    }
    ClusterSnapshot snapshot = fixture.snapshot();

    BalancePlan held = Balancer.recommend(snapshot, DEFAULTS, NOW);
    BalancePlan later = Balancer.recommend(snapshot, DEFAULTS, NOW.plus(Duration.ofMinutes(31)));

    assertThat(held.moves()).isEmpty();
    assertThat(held.notes())
        .contains("12 VM(s) moved within the last 1h and are not moved again yet");
    assertThat(later.moves()).isNotEmpty();
  }

  @Test
  void neverMovesAVmBackAlongAPathAnotherVmTookRecently() {
    Fixture fixture = uneven();
    fixture.movedRecently("z-1", "host-b", "host-a", NOW.minus(Duration.ofMinutes(10)));
    ClusterSnapshot snapshot = fixture.snapshot();

    BalancePlan plan = Balancer.recommend(snapshot, DEFAULTS, NOW);

    assertThat(plan.moves())
        .isNotEmpty()
        .noneMatch(m -> m.from().equals("host-a") && m.to().equals("host-b"));
  }

  @Test
  void reRunningAfterApplyingThePlanProposesNothingMore() {
    ClusterSnapshot snapshot = uneven().snapshot();
    BalancePlan first = Balancer.recommend(snapshot, DEFAULTS, NOW);
    ClusterSnapshot applied = snapshot.applying(first.moves(), NOW);

    BalancePlan second = Balancer.recommend(applied, DEFAULTS, NOW.plus(Duration.ofMinutes(5)));

    assertThat(first.moves()).isNotEmpty();
    assertThat(second.moves()).isEmpty();
  }

  @Test
  void nonMovableVmsStayButCountTowardTheirHostsLoad() {
    Fixture fixture = new Fixture().host("host-a").host("host-b");
    for (int i = 1; i <= 10; i++) {
      fixture.vm("stopped-" + i, "host-a", 0, 4 * GIB, 0, false);
    }
    ClusterSnapshot snapshot = fixture.snapshot();

    BalancePlan plan = Balancer.recommend(snapshot, DEFAULTS.withAggressiveness(5), NOW);

    assertThat(plan.moves()).isEmpty();
    assertThat(plan.imbalanceBefore()).isCloseTo(40.0 / 64 / 2, within(1e-9));
  }

  @Test
  void lowAggressivenessProposesFewerMovesThanHighOnAMildlyUnevenCluster() {
    Fixture fixture = new Fixture();
    for (String h : List.of("host-a", "host-b", "host-c", "host-d", "host-e", "host-f")) {
      fixture.host(h).vms(h.substring(5), h.equals("host-a") ? 9 : 7, h, 4);
    }
    ClusterSnapshot snapshot = fixture.snapshot(); // host-a 56 %, the others 44 %

    int[] moves = new int[6];
    for (int a = 1; a <= 5; a++) {
      moves[a] = Balancer.recommend(snapshot, DEFAULTS.withAggressiveness(a), NOW).moves().size();
    }

    assertThat(moves[1]).isZero();
    assertThat(moves[5]).isPositive();
    assertThat(moves[1]).isLessThanOrEqualTo(moves[3]).isLessThanOrEqualTo(moves[5]);
    assertThat(Balancer.recommend(snapshot, DEFAULTS.withAggressiveness(1), NOW).notes())
        .anySatisfy(n -> assertThat(n).startsWith("balanced for aggressiveness 1"));
  }

  @Test
  void stopsAtMaxMovesPerPassAndSaysSo() {
    ClusterSnapshot snapshot = uneven().snapshot();

    BalancePlan plan = Balancer.recommend(snapshot, DEFAULTS.withMaxMovesPerPass(2), NOW);

    assertThat(plan.moves()).hasSize(2);
    assertThat(plan.notes())
        .anySatisfy(n -> assertThat(n).startsWith("stopped at maxMovesPerPass"));
  }
}
