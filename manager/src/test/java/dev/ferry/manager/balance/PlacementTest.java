package dev.ferry.manager.balance;

import static dev.ferry.manager.balance.Fixture.CLASS_A;
import static dev.ferry.manager.balance.Fixture.CLASS_B;
import static dev.ferry.manager.balance.Fixture.GIB;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlacementTest {

  private static final long MIB = Fixture.MIB;

  /** host-a: not schedulable; host-b (16 GiB): exactly 512 MiB free; host-c: class B, empty. */
  private static Fixture crowded() {
    long usable = new HostLoad("x", 16, 16 * GIB, true, CLASS_A).usableMemoryBytes();
    return new Fixture()
        .host("host-a", 16, 64, CLASS_A, false)
        .host("host-b", 16, 16, CLASS_A, true)
        .host("host-c", 16, 64, CLASS_B, true)
        .vm("filler", "host-b", 1, usable - 512 * MIB, 0, true);
  }

  private static NewVm vm(String name, long memoryGib, Optional<String> pinned, Set<String> avoid) {
    return new NewVm(name, 2, memoryGib * GIB, pinned, CLASS_A, avoid);
  }

  @Test
  void placesANewVmOnTheLeastLoadedCompatibleHost() {
    ClusterSnapshot snapshot =
        new Fixture()
            .host("host-a")
            .host("host-b")
            .host("host-c", 16, 64, CLASS_B, true)
            .vms("a", 8, "host-a", 4)
            .vms("b", 4, "host-b", 4)
            .snapshot();

    PlacementDecision decision =
        Placement.choose(snapshot, vm("new", 4, Optional.empty(), Set.of()));

    assertThat(decision).isInstanceOf(PlacementDecision.Placed.class);
    assertThat(((PlacementDecision.Placed) decision).host()).isEqualTo("host-b");
    assertThat(decision.reason()).startsWith("host-b (load 25%→").contains("least loaded");
  }

  @Test
  void refusesNamingWhyEachHostWasRejected() {
    PlacementDecision decision =
        Placement.choose(crowded().snapshot(), vm("new", 1, Optional.empty(), Set.of()));

    assertThat(decision)
        .isEqualTo(
            new PlacementDecision.Refused(
                "no host can take new (1 GiB): host-a: not schedulable (down or in maintenance);"
                    + " host-b: 512 MiB free, needs 1 GiB; host-c: compatibility kvm/b, needs"
                    + " kvm/a"));
  }

  @Test
  void honoursAPinnedHost() {
    ClusterSnapshot snapshot =
        new Fixture().host("host-a").host("host-b").vms("a", 8, "host-a", 4).snapshot();

    PlacementDecision decision =
        Placement.choose(snapshot, vm("new", 4, Optional.of("host-a"), Set.of()));

    assertThat(decision).isInstanceOf(PlacementDecision.Placed.class);
    assertThat(((PlacementDecision.Placed) decision).host()).isEqualTo("host-a");
    assertThat(decision.reason()).startsWith("pinned to host-a");
  }

  @Test
  void refusesWithTheReasonWhenThePinnedHostCannotTakeIt() {
    ClusterSnapshot snapshot = crowded().host("host-d").snapshot();

    PlacementDecision full =
        Placement.choose(snapshot, vm("new", 1, Optional.of("host-b"), Set.of()));
    PlacementDecision missing =
        Placement.choose(snapshot, vm("new", 1, Optional.of("host-z"), Set.of()));

    assertThat(full)
        .isEqualTo(
            new PlacementDecision.Refused(
                "new (1 GiB) is pinned to host-b, which cannot take it: host-b: 512 MiB free,"
                    + " needs 1 GiB"));
    assertThat(missing)
        .isEqualTo(
            new PlacementDecision.Refused(
                "new (1 GiB) is pinned to host-z, which is not in the cluster"));
  }

  @Test
  void followsTheRulesThatNameTheNewVm() {
    ClusterSnapshot snapshot =
        new Fixture()
            .host("host-a")
            .host("host-b")
            .host("host-c")
            .host("host-d")
            .vms("a", 6, "host-a", 4)
            .vms("b", 4, "host-b", 4)
            .vm("web-1", "host-c", 4)
            .vm("cache-1", "host-d", 4)
            .rule(Fixture.antiAffinity("web-spread", "web-1", "web-2"))
            .rule(
                Fixture.hostGroup("web-hosts", true, Set.of("web-2"), "host-a", "host-b", "host-c"))
            .snapshot();

    PlacementDecision decision =
        Placement.choose(snapshot, vm("web-2", 4, Optional.empty(), Set.of("cache-1")));

    // host-c and host-d are the least loaded, but web-1 runs on c, cache-1 on d, and d is outside
    // the mandatory group anyway.
    assertThat(decision).isInstanceOf(PlacementDecision.Placed.class);
    assertThat(((PlacementDecision.Placed) decision).host()).isEqualTo("host-b");
    assertThat(decision.reason()).contains("in mandatory host group web-hosts");
  }

  @Test
  void refusesAVmWhoseRulesLeaveNoHost() {
    ClusterSnapshot snapshot =
        new Fixture()
            .host("host-a")
            .host("host-b")
            .vm("web-1", "host-a", 4)
            .vm("web-3", "host-b", 4)
            .rule(Fixture.antiAffinity("web-spread", "web-1", "web-2", "web-3"))
            .snapshot();

    PlacementDecision decision =
        Placement.choose(snapshot, vm("web-2", 1, Optional.empty(), Set.of()));

    assertThat(decision)
        .isEqualTo(
            new PlacementDecision.Refused(
                "no host can take web-2 (1 GiB): host-a: runs web-1 (anti-affinity rule"
                    + " web-spread); host-b: runs web-3 (anti-affinity rule web-spread)"));
  }

  @Test
  void refusesANameThatIsTaken() {
    ClusterSnapshot snapshot = new Fixture().host("host-a").vm("web-1", "host-a", 4).snapshot();

    assertThat(Placement.choose(snapshot, vm("web-1", 1, Optional.empty(), Set.of())))
        .isEqualTo(new PlacementDecision.Refused("a VM named web-1 already exists on host-a"));
  }

  @Test
  void summarisesManyRejectedHostsByReason() {
    Fixture fixture = new Fixture();
    for (int i = 1; i <= 10; i++) {
      fixture.host("host-" + i).vm("vm-" + i, "host-" + i, 0.5, (50 + i) * GIB, 0, true);
    }
    for (int i = 11; i <= 20; i++) {
      fixture.host("host-" + i, 16, 64, CLASS_B, true);
    }

    PlacementDecision decision =
        Placement.choose(fixture.snapshot(), vm("new", 16, Optional.empty(), Set.of()));

    assertThat(decision.reason())
        .isEqualTo(
            "no host can take new (16 GiB): 10 hosts of another compatibility class (e.g."
                + " host-11: compatibility kvm/b, needs kvm/a; host-12: compatibility kvm/b, needs"
                + " kvm/a); 10 hosts short of free memory (e.g. host-1: 9.8 GiB free, needs 16"
                + " GiB; host-2: 8.8 GiB free, needs 16 GiB)");
  }
}
