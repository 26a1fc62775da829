package dev.ferry.manager.balance;

import static dev.ferry.manager.balance.Fixture.GIB;
import static dev.ferry.manager.balance.Fixture.NOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClusterSnapshotTest {

  @Test
  void rejectsDuplicateHostsAndVmsOnUnknownHosts() {
    assertThatThrownBy(() -> new Fixture().host("host-a").host("host-a").snapshot())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("duplicate host name host-a");
    assertThatThrownBy(() -> new Fixture().host("host-a").vm("vm-1", "host-b", 1).snapshot())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("VM vm-1 runs on unknown host host-b");
    assertThatThrownBy(
            () ->
                new Fixture()
                    .host("host-a")
                    .vm("vm-1", "host-a", 1)
                    .vm("vm-1", "host-a", 1)
                    .snapshot())
        .hasMessage("duplicate VM name vm-1");
  }

  @Test
  void rejectsImpossibleLoads() {
    assertThatThrownBy(() -> new HostLoad("host-a", 0, GIB, true, "kvm/a"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("host host-a: cores must be positive, got 0");
    assertThatThrownBy(() -> new VmLoad("vm-1", "host-a", -1, GIB, 0, true))
        .hasMessage("VM vm-1: cpuCores must be a finite number >= 0, got -1.0");
    assertThatThrownBy(() -> new Rule.VmHostGroup("g", Set.of("vm-1"), Set.of(), true))
        .hasMessage("rule g: hosts must not be empty");
  }

  @Test
  void applyingMovesTheVmsAndRemembersTheMoves() {
    ClusterSnapshot snapshot =
        new Fixture().host("host-a").host("host-b").vm("vm-1", "host-a", 1).snapshot();

    ClusterSnapshot after =
        snapshot.applying(
            List.of(new Recommendation("vm-1", "host-a", "host-b", 0.1, 0.01, "test")), NOW);

    assertThat(after.vm("vm-1")).hasValueSatisfying(v -> assertThat(v.host()).isEqualTo("host-b"));
    assertThat(after.recent()).containsExactly(new RecentMove("vm-1", "host-a", "host-b", NOW));
    assertThatThrownBy(
            () ->
                after.applying(
                    List.of(new Recommendation("vm-1", "host-a", "host-b", 0, 0, "again")), NOW))
        .hasMessage("move of vm-1 from host-a, but it is on host-b");
  }
}
