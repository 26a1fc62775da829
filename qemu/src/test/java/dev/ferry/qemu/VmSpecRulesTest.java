package dev.ferry.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.common.ByteSize;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A spec's words reach QEMU's command line: the records refuse what could become an option. */
class VmSpecRulesTest {
  static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56");
  static final BootSpec BOOT = new BootSpec.Kernel(Path.of("/k"), Optional.empty(), "quiet");

  static VmSpec spec(String machine, String cpu, List<DiskSpec> disks, List<NicSpec> nics) {
    return new VmSpec(
        "vm1", UUID.randomUUID(), 1, ByteSize.ofMiB(128), machine, cpu, BOOT, disks, nics);
  }

  @Test
  void aPlainSpecIsAccepted() {
    VmSpec s =
        spec(
            "pc-i440fx-7.2",
            "qemu64",
            List.of(
                new DiskSpec("disk0", Path.of("/var/lib/ferry/a.qcow2"), DiskFormat.QCOW2, false)),
            List.of(new NicSpec("net0", "br0", MAC)));
    assertThat(s.disks()).hasSize(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"disk0,x", "net0,vhost=on", "Disk0", "0disk", "", "a=b", "d isk"})
  void idsThatCouldCarryOptionsAreRefused(String id) {
    assertThatThrownBy(() -> new DiskSpec(id, Path.of("/a"), DiskFormat.RAW, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("disk id");
    assertThatThrownBy(() -> new NicSpec(id, "br0", MAC))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NIC id");
  }

  @ParameterizedTest
  @ValueSource(strings = {"br0/../br0", "..", ".", "br0,x", "a-very-long-bridge-name", "br 0", ""})
  void bridgesMustBeInterfaceNames(String bridge) {
    assertThatThrownBy(() -> new NicSpec("net0", bridge, MAC))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bridge");
  }

  @Test
  void machineAndCpuCannotCarryOptions() {
    assertThatThrownBy(() -> spec("pc,accel=tcg", "qemu64", List.of(), List.of()))
        .hasMessageContaining("machine type");
    assertThatThrownBy(() -> spec("pc", "qemu64,+vmx", List.of(), List.of()))
        .hasMessageContaining("CPU model");
  }

  @Test
  void duplicatesAreRefused() {
    var d = new DiskSpec("disk0", Path.of("/a"), DiskFormat.RAW, false);
    var d2 = new DiskSpec("disk1", Path.of("/x/../a"), DiskFormat.RAW, false);
    assertThatThrownBy(() -> spec("pc", "qemu64", List.of(d, d), List.of()))
        .hasMessageContaining("disk id 'disk0' appears twice");
    assertThatThrownBy(() -> spec("pc", "qemu64", List.of(d, d2), List.of()))
        .hasMessageContaining("disk path");
    var n = new NicSpec("net0", "br0", MAC);
    var n2 = new NicSpec("net1", "br0", MAC);
    assertThatThrownBy(() -> spec("pc", "qemu64", List.of(), List.of(n, n2)))
        .hasMessageContaining("MAC address");
  }

  @Test
  void macsAndCommandLinesHaveLimits() {
    assertThatThrownBy(() -> MacAddress.parse("00:00:00:00:00:00")).hasMessageContaining("zeros");
    assertThatThrownBy(
            () -> new BootSpec.Kernel(Path.of("/k"), Optional.empty(), "x".repeat(200_000)))
        .hasMessageContaining("2048");
    assertThatThrownBy(() -> new BootSpec.Kernel(Path.of("/k"), Optional.empty(), "a\nb"))
        .hasMessageContaining("control");
  }
}
