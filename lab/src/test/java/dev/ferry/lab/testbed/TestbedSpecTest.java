package dev.ferry.lab.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestbedSpecTest {

  @Test
  void defaultsAreTestbedFerryWithTwoHostsOnSubnetZero() {
    TestbedSpec spec = TestbedSpec.defaults();

    assertThat(spec.name()).isEqualTo("ferry");
    assertThat(spec.hosts()).isEqualTo(2);
    assertThat(spec.subnet()).isEqualTo("198.18.0.0/24");
    assertThat(spec.stateFile()).isEqualTo(Path.of("/run/ferry/testbed/ferry/testbed.json"));
    assertThat(spec.dataDir()).isEqualTo(Path.of("/var/lib/ferry/testbed/ferry"));
    assertThat(spec.agentLauncher()).isNull();
    assertThat(spec.fabricNamespace()).isEqualTo("ferry-fabric");
    assertThat(spec.clientNamespace()).isEqualTo("ferry-client");
    assertThat(spec.clientAddress()).isEqualTo("198.18.0.2");
  }

  @Test
  void hostPlansNameAddressAndPlaceEveryHost() {
    TestbedSpec spec =
        TestbedSpec.named("lab")
            .withHosts(3)
            .withSubnetIndex(7)
            .withStateRoot(Path.of("/run/x"))
            .withDataRoot(Path.of("/srv/y"));

    List<HostPlan> plans = spec.hostPlans();

    assertThat(plans).extracting(HostPlan::name).containsExactly("host-a", "host-b", "host-c");
    HostPlan c = plans.get(2);
    assertThat(c)
        .isEqualTo(
            new HostPlan(
                "host-c",
                2,
                "lab-host-c",
                "198.18.7.12",
                24,
                "br0",
                URI.create("http://198.18.7.12:7700"),
                Path.of("/run/x/lab/host-c/agent.sock"),
                Path.of("/run/x/lab/host-c"),
                Path.of("/run/x/lab/host-c/agent.log"),
                Path.of("/srv/y/lab/shared"),
                Path.of("/srv/y/lab/host-c/local")));
    assertThat(c.cidr()).isEqualTo("198.18.7.12/24");
    assertThat(plans).extracting(HostPlan::sharedDir).containsOnly(Path.of("/srv/y/lab/shared"));
    assertThat(plans).extracting(HostPlan::localDir).doesNotHaveDuplicates();
  }

  @Test
  void everyAddressLiesInTheBenchmarkingRange198_18_0_0Slash15() throws Exception {
    for (int k = 0; k <= 255; k++) {
      TestbedSpec spec = TestbedSpec.named("t").withHosts(8).withSubnetIndex(k);
      List<String> addresses = new ArrayList<>();
      addresses.add(spec.clientAddress());
      spec.hostPlans().forEach(h -> addresses.add(h.address()));
      for (int g = 0; g < Layout.GUEST_ADDRESSES; g++) {
        addresses.add(Layout.guestAddress(k, g));
      }
      assertThat(addresses).doesNotHaveDuplicates();
      for (String a : addresses) {
        byte[] b = InetAddress.getByName(a).getAddress();
        assertThat((b[0] & 0xff) == 198 && (b[1] & 0xfe) == 18)
            .as("%s lies in 198.18.0.0/15", a)
            .isTrue();
      }
    }
  }

  @Test
  void rejectsBadNamesHostCountsSubnetsAndRoots() {
    TestbedSpec ok = TestbedSpec.named("ok");
    for (String bad : new String[] {"", "-a", "a-", "Upper", "a_b", "a.b", "x".repeat(17)}) {
      assertThatThrownBy(() -> TestbedSpec.named(bad))
          .as("name '%s'", bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("testbed name");
    }
    assertThatThrownBy(() -> ok.withHosts(0)).hasMessageContaining("hosts must be 1..8");
    assertThatThrownBy(() -> ok.withHosts(9)).hasMessageContaining("hosts must be 1..8");
    assertThatThrownBy(() -> ok.withSubnetIndex(256)).hasMessageContaining("subnet index");
    assertThatThrownBy(() -> ok.withStateRoot(Path.of("relative")))
        .hasMessageContaining("absolute");
    assertThatThrownBy(() -> ok.withStateRoot(Path.of("/" + "d".repeat(90))))
        .hasMessageContaining("107 bytes");
    assertThatThrownBy(() -> Layout.guestAddress(0, 100)).hasMessageContaining("0..99");
  }

  @Test
  void aNamespaceBelongsToOneTestbedOnly() {
    assertThat(Layout.belongsTo("ftb", "ftb-fabric")).isTrue();
    assertThat(Layout.belongsTo("ftb", "ftb-client")).isTrue();
    assertThat(Layout.belongsTo("ftb", "ftb-host-h")).isTrue();

    assertThat(Layout.belongsTo("ftb", "ftb-host-i")).isFalse();
    assertThat(Layout.belongsTo("ftb", "ftb-x-host-a")).isFalse();
    assertThat(Layout.belongsTo("ftb", "ftbx-host-a")).isFalse();
    assertThat(Layout.belongsTo("ftb", "ftb-extra")).isFalse();
    assertThat(Layout.belongsTo("ftb-x", "ftb-host-a")).isFalse();
    assertThat(Layout.belongsTo("ftb", "ftb-fabric-2")).isFalse();
  }
}
