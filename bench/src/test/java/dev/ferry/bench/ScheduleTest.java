package dev.ferry.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleTest {

  @Test
  void eachRunVisitsEveryScenarioWithEveryPeerBeforeTheNextRunStarts() {
    List<Schedule.Step> steps =
        Schedule.of(2, List.of(Scenario.IDLE, Scenario.DIRTYING), List.of("qemu", "libvirt"));

    assertThat(steps)
        .extracting(s -> s.run() + s.scenario().id() + ":" + s.peer())
        .containsExactly(
            "1a:qemu",
            "1a:libvirt",
            "1b:qemu",
            "1b:libvirt",
            "2a:libvirt",
            "2a:qemu",
            "2b:libvirt",
            "2b:qemu");
  }

  @Test
  void peerOrderRotatesByOneEachRun() {
    assertThat(Schedule.rotate(List.of("a", "b", "c"), 0)).containsExactly("a", "b", "c");
    assertThat(Schedule.rotate(List.of("a", "b", "c"), 1)).containsExactly("b", "c", "a");
    assertThat(Schedule.rotate(List.of("a", "b", "c"), 4)).containsExactly("b", "c", "a");
    assertThat(Schedule.rotate(List.of(), 3)).isEmpty();
  }

  @Test
  void atLeastOneRunIsRequired() {
    assertThatThrownBy(() -> Schedule.of(0, Scenario.ALL, List.of("qemu")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1");
  }
}
