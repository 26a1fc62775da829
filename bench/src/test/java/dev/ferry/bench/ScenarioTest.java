package dev.ferry.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScenarioTest {

  @Test
  void parsesIdsInTheOrderGiven() {
    assertThat(Scenario.parseList("c,a")).containsExactly(Scenario.FASTER_THAN_LINK, Scenario.IDLE);
  }

  @Test
  void ignoresCaseAndBlanksAroundCommas() {
    assertThat(Scenario.parseList(" B , a ")).containsExactly(Scenario.DIRTYING, Scenario.IDLE);
  }

  @Test
  void allMeansEveryScenarioInTableOrder() {
    assertThat(Scenario.parseList("all")).isEqualTo(Scenario.ALL);
    assertThat(Scenario.ALL).extracting(Scenario::id).containsExactly("a", "b", "c", "d");
  }

  @Test
  void unknownIdIsRejectedNamingTheKnownOnes() {
    assertThatThrownBy(() -> Scenario.parseList("a,e"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown scenario 'e'")
        .hasMessageContaining("a, b, c, d");
  }

  @Test
  void repeatedOrEmptyIdsAreRejected() {
    assertThatThrownBy(() -> Scenario.parseList("a,b,a"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a' is named twice");
    assertThatThrownBy(() -> Scenario.parseList("a,,b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty scenario name");
    assertThatThrownBy(() -> Scenario.parseList("")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void kernelCommandLineCarriesAddressHostnameAndWorkload() {
    assertThat(Scenario.IDLE.kernelCmdline("198.18.77.100/24", "qemu-a-1"))
        .isEqualTo("console=ttyS0 quiet ferry.ip=198.18.77.100/24 ferry.hostname=qemu-a-1");
    assertThat(Scenario.DIRTYING.kernelCmdline("198.18.77.101/24", "qemu-b-1"))
        .endsWith(" ferry.dirty=256:64");
    assertThat(Scenario.FASTER_THAN_LINK.kernelCmdline("198.18.77.102/24", "qemu-c-1"))
        .endsWith(" ferry.dirty=512:400");
  }

  @Test
  void onlyTheFasterThanLinkScenarioCapsTheSourceLink() {
    assertThat(Scenario.FASTER_THAN_LINK.sourceLinkCap()).contains(DataRate.ofMiBPerSecond(100));
    assertThat(List.of(Scenario.IDLE, Scenario.DIRTYING, Scenario.STORAGE))
        .allSatisfy(s -> assertThat(s.sourceLinkCap()).isEmpty());
  }

  @Test
  void onlyTheStorageScenarioHasADiskAndItsWriterCoversTheData() {
    Scenario.DiskLoad d = Scenario.STORAGE.disk().orElseThrow();
    assertThat(d.size()).isEqualTo(ByteSize.ofGiB(2));
    assertThat(d.data()).isEqualTo(ByteSize.ofGiB(1));
    assertThat(d.writeRate()).isEqualTo(DataRate.ofMiBPerSecond(5));
    assertThat(Scenario.STORAGE.memory()).isEqualTo(ByteSize.ofMiB(512));
    // 1 GiB of 4 KiB blocks: the writer's ring is the data.
    assertThat(Scenario.STORAGE.kernelCmdline("198.18.77.103/24", "qemu-d-1"))
        .endsWith(" ferry.hostname=qemu-d-1 ferry.diskwrite=/dev/vda:5:262144");
    assertThat(List.of(Scenario.IDLE, Scenario.DIRTYING, Scenario.FASTER_THAN_LINK))
        .allSatisfy(s -> assertThat(s.disk()).isEmpty());
  }

  @Test
  void diskDataMustBeWholeBlocksWithinTheDisk() {
    DataRate rate = DataRate.ofMiBPerSecond(5);
    assertThatThrownBy(() -> new Scenario.DiskLoad(ByteSize.ofGiB(1), ByteSize.ofGiB(2), rate))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Scenario.DiskLoad(ByteSize.ofGiB(1), ByteSize.ofBytes(4097), rate))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Scenario.DiskLoad(ByteSize.ofGiB(1), ByteSize.ZERO, rate))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void guestsStayWithinTheAllowedMemorySizes() {
    assertThat(Scenario.ALL).allSatisfy(s -> assertThat(s.memory().toMiB()).isBetween(128L, 1024L));
  }
}
