package dev.ferry.qemu;

import java.util.Objects;

/**
 * One virtio network interface, plugged as a tap into a bridge of the host it runs on. The MAC is
 * fixed for the VM's life so the guest keeps its identity on every host.
 *
 * @param id short device id, unique within the VM ({@code net0})
 * @param bridge name of the host bridge the tap joins; must exist on every host the VM runs on
 * @param mac unicast MAC address, {@code 52:54:00:xx:xx:xx} style
 */
public record NicSpec(String id, String bridge, MacAddress mac) {
  public NicSpec {
    SpecRules.require(
        SpecRules.DEVICE_ID, id, "NIC id", "a lower-case letter, then letters, digits, '-' or '_'");
    SpecRules.require(
        SpecRules.IFNAME, bridge, "bridge", "an interface name of 1-15 letters, digits, '.', '-'");
    Objects.requireNonNull(mac, "mac");
  }
}
