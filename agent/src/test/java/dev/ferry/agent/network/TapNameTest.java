package dev.ferry.agent.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TapNameTest {

  @Test
  void vmsWhoseUuidsShareAPrefixGetDifferentTaps() {
    UUID running = UUID.fromString("1a2b3c4d-0000-4000-8000-000000000001");
    UUID incoming = UUID.fromString("1a2b3c4d-ffff-4fff-bfff-ffffffffffff");
    assertThat(TapDevices.tapName(running, 0)).isNotEqualTo(TapDevices.tapName(incoming, 0));
  }

  @Test
  void namesAreStableFitTheKernelsLimitAndDifferPerNic() {
    var names = new HashSet<String>();
    for (int i = 0; i < 2000; i++) {
      UUID vm = UUID.randomUUID();
      for (int nic : new int[] {0, 9, 99}) {
        String tap = TapDevices.tapName(vm, nic);
        assertThat(tap).matches("fy[a-z2-7]{11}[0-9]{1,2}").hasSizeLessThanOrEqualTo(15);
        assertThat(TapDevices.tapName(vm, nic)).isEqualTo(tap);
        assertThat(names.add(tap)).as("unique: %s", tap).isTrue();
      }
    }
    assertThatThrownBy(() -> TapDevices.tapName(UUID.randomUUID(), 100))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
