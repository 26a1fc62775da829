package dev.ferry.bench;

import dev.ferry.qemu.MacAddress;
import java.util.Objects;
import java.util.UUID;

/**
 * The identity of one benchmark guest: fresh for every run, so that no ARP cache or bridge
 * forwarding entry left by an earlier run points at the wrong host.
 *
 * @param name VM name, {@code <peer>-<scenario>-<run>}
 * @param uuid SMBIOS UUID
 * @param address the guest's IPv4 address on the testbed subnet
 * @param prefixLength the subnet's prefix length
 * @param mac its NIC's MAC address
 */
public record Guest(String name, UUID uuid, String address, int prefixLength, MacAddress mac) {
  public Guest {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(mac, "mac");
  }

  /** {@code 198.18.77.104/24}. */
  public String cidr() {
    return address + "/" + prefixLength;
  }
}
