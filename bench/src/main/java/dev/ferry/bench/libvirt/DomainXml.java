package dev.ferry.bench.libvirt;

import dev.ferry.bench.Guest;
import dev.ferry.common.ByteSize;
import dev.ferry.qemu.Accelerator;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The libvirt domain of a benchmark guest: the same guest the other peers boot (1 vCPU, the test
 * guest's kernel and initramfs by direct boot, one virtio NIC on the host bridge, the serial
 * console to a file), as a libvirt domain definition.
 */
final class DomainXml {
  static final String CPU_MODEL = "qemu64";

  private DomainXml() {}

  /**
   * @param accelerator {@code TCG} gives domain type {@code qemu}, {@code KVM} type {@code kvm}
   * @param consoleLog the serial console file, as the daemons see it (the same path on both)
   * @param disk a qcow2 data disk (the guest's {@code vda}), as the daemons see it, if any
   */
  static String render(
      Guest guest,
      ByteSize memory,
      Accelerator accelerator,
      String machineType,
      Path emulator,
      Path kernel,
      Path initrd,
      String cmdline,
      String bridge,
      String consoleLog,
      Optional<String> disk) {
    String type = accelerator == Accelerator.KVM ? "kvm" : "qemu";
    String diskXml =
        disk.map(
                d ->
                    """
                        <disk type='file' device='disk'>
                          <driver name='qemu' type='qcow2'/>
                          <source file='%s'/>
                          <target dev='vda' bus='virtio'/>
                        </disk>
                    """
                        .formatted(escape(d)))
            .orElse("");
    return """
        <domain type='%s'>
          <name>%s</name>
          <uuid>%s</uuid>
          <memory unit='MiB'>%d</memory>
          <vcpu>1</vcpu>
          <os>
            <type arch='x86_64' machine='%s'>hvm</type>
            <kernel>%s</kernel>
            <initrd>%s</initrd>
            <cmdline>%s</cmdline>
          </os>
          <features>
            <acpi/>
          </features>
          <cpu mode='custom' match='exact'>
            <model fallback='forbid'>%s</model>
          </cpu>
          <clock offset='utc'/>
          <on_poweroff>destroy</on_poweroff>
          <on_reboot>destroy</on_reboot>
          <on_crash>destroy</on_crash>
          <devices>
            <emulator>%s</emulator>
            <controller type='usb' model='none'/>
        %s    <interface type='bridge'>
              <source bridge='%s'/>
              <mac address='%s'/>
              <model type='virtio'/>
            </interface>
            <serial type='file'>
              <source path='%s'/>
              <target port='0'/>
            </serial>
            <memballoon model='none'/>
          </devices>
        </domain>
        """
        .formatted(
            type,
            escape(guest.name()),
            guest.uuid(),
            memory.toMiB(),
            escape(machineType),
            escape(kernel.toString()),
            escape(initrd.toString()),
            escape(cmdline),
            escape(CPU_MODEL),
            escape(emulator.toString()),
            diskXml,
            escape(bridge),
            guest.mac(),
            escape(consoleLog));
  }

  /** Text and attribute values: the five XML specials. */
  static String escape(String text) {
    StringBuilder b = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '\'' -> b.append("&apos;");
        case '"' -> b.append("&quot;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
