package dev.ferry.manager.balance;

import static dev.ferry.manager.balance.Fixture.CLASS_B;
import static dev.ferry.manager.balance.Fixture.GIB;
import static dev.ferry.manager.balance.Fixture.MIB;
import static dev.ferry.manager.balance.Fixture.replayChecked;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class EvacuationTest {

  private static List<Recommendation> asMoves(EvacuationPlan plan) {
    return plan.moves().stream()
        .map(m -> new Recommendation(m.vm(), m.from(), m.to(), 0, 0, m.reason()))
        .toList();
  }

  @Test
  void emptiesTheHostWhileKeepingEveryRule() {
    ClusterSnapshot snapshot =
        new Fixture()
            .host("host-a")
            .host("host-b")
            .host("host-c")
            .host("host-d")
            .vms("a", 6, "host-a", 4)
            .vm("web-1", "host-a", 0.5, 4 * GIB, 10 * MIB, true)
            .vm("db-1", "host-a", 0.5, 8 * GIB, 10 * MIB, true)
            .vm("db-2", "host-a", 0.5, 8 * GIB, 10 * MIB, true)
            .vm("web-2", "host-b", 0.5, 4 * GIB, 10 * MIB, true)
            .rule(Fixture.antiAffinity("web-spread", "web-1", "web-2"))
            .rule(Fixture.affinity("db-pair", "db-1", "db-2"))
            .rule(Fixture.hostGroup("db-hosts", true, Set.of("db-1", "db-2"), "host-a", "host-c"))
            .snapshot();

    EvacuationPlan plan = Evacuation.plan(snapshot, "host-a");

    assertThat(plan.complete()).isTrue();
    assertThat(plan.moves()).hasSize(9).allSatisfy(m -> assertThat(m.from()).isEqualTo("host-a"));
    ClusterSnapshot after = replayChecked(snapshot, asMoves(plan));
    assertThat(after.vms()).noneMatch(v -> v.host().equals("host-a"));
    assertThat(RuleViolations.find(after)).isEmpty();
    Map<String, String> hostOf =
        after.vms().stream().collect(Collectors.toMap(VmLoad::name, VmLoad::host));
    assertThat(hostOf.get("db-1")).isEqualTo("host-c").isEqualTo(hostOf.get("db-2"));
    assertThat(hostOf.get("web-1")).isNotEqualTo("host-b");
  }

  @Test
  void spreadsTheVmsOverTheLeastLoadedHosts() {
    ClusterSnapshot snapshot =
        new Fixture()
            .host("host-a")
            .host("host-b")
            .host("host-c")
            .host("host-d")
            .vms("a", 9, "host-a", 4)
            .snapshot();

    EvacuationPlan plan = Evacuation.plan(snapshot, "host-a");

    Map<String, Long> perHost =
        plan.moves().stream()
            .collect(Collectors.groupingBy(EvacuationPlan.Move::to, Collectors.counting()));
    assertThat(perHost)
        .containsOnly(Map.entry("host-b", 3L), Map.entry("host-c", 3L), Map.entry("host-d", 3L));
    assertThat(plan.moves().get(0).reason()).contains("the least loaded compatible host with room");
  }

  @Test
  void listsExactlyTheVmsThatCannotMoveWithTheReason() {
    ClusterSnapshot snapshot =
        new Fixture()
            .host("host-a")
            .host("host-b")
            .host("host-c", 16, 256, CLASS_B, true)
            .host("host-d", 16, 256, Fixture.CLASS_A, false)
            .vm("big", "host-a", 1, 40 * GIB, 10 * MIB, true)
            .vm("old-1", "host-a", 0, 4 * GIB, 0, false)
            .vm("web-1", "host-a", 0.5, 4 * GIB, 10 * MIB, true)
            .vm("small", "host-a", 0.5, 4 * GIB, 10 * MIB, true)
            .vm("web-2", "host-b", 0.5, 4 * GIB, 10 * MIB, true)
            .vm("filler", "host-b", 0.5, 26 * GIB, 10 * MIB, false)
            .rule(Fixture.antiAffinity("web-spread", "web-1", "web-2"))
            .snapshot();

    EvacuationPlan plan = Evacuation.plan(snapshot, "host-a");

    assertThat(plan.moves()).extracting(EvacuationPlan.Move::vm).containsExactly("small");
    assertThat(plan.moves().get(0).to()).isEqualTo("host-b");
    Map<String, String> stuck =
        plan.stuck().stream()
            .collect(
                Collectors.toMap(
                    EvacuationPlan.Unplaceable::vm, EvacuationPlan.Unplaceable::reason));
    assertThat(stuck).containsOnlyKeys("big", "old-1", "web-1");
    assertThat(stuck.get("old-1")).isEqualTo("stopped");
    assertThat(stuck.get("big"))
        .startsWith("no host can take it (40 GiB, compatibility kvm/a): ")
        .contains("host-b: 30.8 GiB free, needs 40 GiB")
        .contains("host-c: compatibility kvm/b, needs kvm/a")
        .contains("host-d: not schedulable (down or in maintenance)");
    assertThat(stuck.get("web-1")).contains("host-b: runs web-2 (anti-affinity rule web-spread)");
  }

  @Test
  void saysSoWhenNoHostHasTheVmsCompatibilityClass() {
    ClusterSnapshot snapshot =
        new Fixture()
            .host("host-a")
            .host("host-b", 16, 64, CLASS_B, true)
            .vm("vm-1", "host-a", 4)
            .snapshot();

    EvacuationPlan plan = Evacuation.plan(snapshot, "host-a");

    assertThat(plan.stuck())
        .containsExactly(
            new EvacuationPlan.Unplaceable(
                "vm-1",
                "no host can take it (4 GiB, compatibility kvm/a): host-b: compatibility kvm/b,"
                    + " needs kvm/a"));
  }

  @Test
  void ordersTheLongestMigrationsFirst() {
    ClusterSnapshot snapshot =
        new Fixture()
            .host("host-a", 32, 256, Fixture.CLASS_A, true)
            .host("host-b", 32, 256, Fixture.CLASS_A, true)
            .host("host-c", 32, 256, Fixture.CLASS_A, true)
            .vm("quiet-8", "host-a", 1, 8 * GIB, 0, true)
            .vm("busy-8", "host-a", 1, 8 * GIB, 800 * MIB, true)
            .vm("small", "host-a", 1, 2 * GIB, 0, true)
            .vm("huge", "host-a", 1, 32 * GIB, 100 * MIB, true)
            .vm("runaway", "host-a", 1, 1 * GIB, 2048 * MIB, true)
            .snapshot();

    EvacuationPlan plan = Evacuation.plan(snapshot, "host-a");

    assertThat(plan.moves())
        .extracting(EvacuationPlan.Move::vm)
        // busy-8: 8 GiB at 1024 − 800 MiB/s = 36.6 s; huge: 32 GiB at 1024 − 100 MiB/s = 35.5 s
        .containsExactly("runaway", "busy-8", "huge", "quiet-8", "small");
    assertThat(plan.moves().get(0).estimatedTime()).isEmpty();
    assertThat(plan.moves().get(0).reason()).contains("may need throttling");
    assertThat(plan.moves().get(2).estimatedTime())
        .hasValueSatisfying(
            d -> assertThat(d).isBetween(Duration.ofSeconds(35), Duration.ofSeconds(36)));
  }

  @Test
  void keepsAnAffinityGroupWithAStoppedMemberTogether() {
    ClusterSnapshot snapshot =
        new Fixture()
            .host("host-a")
            .host("host-b")
            .vm("app-1", "host-a", 0.5, 4 * GIB, 10 * MIB, true)
            .vm("app-2", "host-a", 0, 4 * GIB, 0, false)
            .rule(Fixture.affinity("app", "app-1", "app-2"))
            .snapshot();

    EvacuationPlan plan = Evacuation.plan(snapshot, "host-a");

    assertThat(plan.moves()).isEmpty();
    assertThat(plan.stuck())
        .containsExactlyInAnyOrder(
            new EvacuationPlan.Unplaceable("app-2", "stopped"),
            new EvacuationPlan.Unplaceable(
                "app-1", "affinity rule app ties it to app-2, which is stopped"));
  }

  @Test
  void rejectsAnUnknownHost() {
    ClusterSnapshot snapshot = new Fixture().host("host-a").snapshot();

    assertThatThrownBy(() -> Evacuation.plan(snapshot, "host-z"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown host host-z");
  }
}
