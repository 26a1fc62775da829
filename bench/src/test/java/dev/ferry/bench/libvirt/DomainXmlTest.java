package dev.ferry.bench.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.bench.Guest;
import dev.ferry.common.ByteSize;
import dev.ferry.qemu.Accelerator;
import dev.ferry.qemu.MacAddress;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DomainXmlTest {
  private static final Guest GUEST =
      new Guest(
          "libvirt-a-1",
          UUID.fromString("6c1a7e62-0000-4000-8000-00000000000a"),
          "198.18.77.100",
          24,
          MacAddress.parse("52:54:00:12:34:56"));

  private static String render(Accelerator accel, String cmdline) {
    return render(accel, cmdline, Optional.empty());
  }

  private static String render(Accelerator accel, String cmdline, Optional<String> disk) {
    return DomainXml.render(
        GUEST,
        ByteSize.ofMiB(512),
        accel,
        "pc-i440fx-7.2",
        Path.of("/usr/bin/qemu-system-x86_64"),
        Path.of("/guest/vmlinuz"),
        Path.of("/guest/initrd.img"),
        cmdline,
        "br0",
        LibvirtHost.consoleInDaemon(GUEST.name()),
        disk);
  }

  @Test
  void describesTheSameGuestTheOtherPeersBoot() {
    String xml = render(Accelerator.TCG, "console=ttyS0 ferry.ip=198.18.77.100/24");

    assertThat(xml)
        .contains("<domain type='qemu'>")
        .contains("<name>libvirt-a-1</name>")
        .contains("<uuid>6c1a7e62-0000-4000-8000-00000000000a</uuid>")
        .contains("<memory unit='MiB'>512</memory>")
        .contains("<vcpu>1</vcpu>")
        .contains("machine='pc-i440fx-7.2'")
        .contains("<kernel>/guest/vmlinuz</kernel>")
        .contains("<initrd>/guest/initrd.img</initrd>")
        .contains("<cmdline>console=ttyS0 ferry.ip=198.18.77.100/24</cmdline>")
        .contains("<model fallback='forbid'>qemu64</model>")
        .contains("<source bridge='br0'/>")
        .contains("<mac address='52:54:00:12:34:56'/>")
        .contains("<model type='virtio'/>")
        .contains("<source path='/var/log/libvirt/qemu/libvirt-a-1.console'/>");
  }

  @Test
  void kvmGuestsAreKvmDomains() {
    assertThat(render(Accelerator.KVM, "")).contains("<domain type='kvm'>");
  }

  @Test
  void escapesXmlSpecialsInValues() {
    assertThat(render(Accelerator.TCG, "a<b & 'c'"))
        .contains("<cmdline>a&lt;b &amp; &apos;c&apos;</cmdline>");
  }

  @Test
  void aDataDiskIsTheGuestsFirstVirtioDiskInQcow2() {
    String xml =
        render(
            Accelerator.TCG, "", Optional.of(LibvirtHost.IMAGES_IN_DAEMON + "/libvirt-d-1.qcow2"));

    assertThat(xml)
        .contains(
            """
                <disk type='file' device='disk'>
                  <driver name='qemu' type='qcow2'/>
                  <source file='/var/lib/libvirt/images/libvirt-d-1.qcow2'/>
                  <target dev='vda' bus='virtio'/>
                </disk>
                <interface type='bridge'>
            """);
    assertThat(render(Accelerator.TCG, "")).doesNotContain("<disk");
  }
}
