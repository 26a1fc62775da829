package dev.ferry.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SelectionTest {

  @Test
  void peersAreChosenByName() {
    assertThat(Selection.parse("libvirt,QEMU", "peer", Bench.PEER_NAMES, n -> n))
        .containsExactly("libvirt", "qemu");
    assertThat(Selection.parse("all", "peer", Bench.PEER_NAMES, n -> n))
        .containsExactly("ferry", "qemu", "libvirt", "ferry-postcopy");
  }

  @Test
  void unknownPeerIsRejected() {
    assertThatThrownBy(() -> Selection.parse("vmware", "peer", Bench.PEER_NAMES, n -> n))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown peer 'vmware'; known: ferry, qemu, libvirt, ferry-postcopy (or all)");
  }
}
