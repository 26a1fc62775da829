package dev.ferry.lab.testbed;

import java.util.regex.Pattern;

/**
 * Every name and address a testbed uses, derived from its name and subnet index alone, so that
 * {@link Testbed#down(String)} can find a testbed's namespaces even without its state file.
 *
 * <p>A namespace belongs to testbed {@code t} if and only if it is called {@code t-fabric}, {@code
 * t-client} or {@code t-host-<letter>}. No namespace name can belong to two testbeds: no suffix is
 * a {@code -}-separated tail of another, so {@code down("ftb")} never touches {@code ftb-x-host-a}.
 */
final class Layout {
  /** Testbed names: short, lower case, usable in file and namespace names. */
  static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,14}[a-z0-9])?");

  static final int MAX_HOSTS = 8;
  static final int MAX_SUBNET_INDEX = 255;

  static final String FABRIC_BRIDGE = "fabric";
  static final String HOST_BRIDGE = "br0";
  static final String HOST_UPLINK = "uplink";
  static final String CLIENT_INTERFACE = "eth0";
  static final String CLIENT_FABRIC_PORT = "client";
  static final int PREFIX_LENGTH = 24;
  static final int AGENT_PORT = 7700;
  static final String AGENT_SOCKET = "agent.sock";
  static final String AGENT_LOG = "agent.log";
  static final String STATE_FILE = "testbed.json";
  static final String SHARED_DIR = "shared";
  static final String LOCAL_DIR = "local";

  private static final String NETWORK_PREFIX = "198.18.";
  private static final int CLIENT_OCTET = 2;
  private static final int FIRST_HOST_OCTET = 10;
  private static final int FIRST_GUEST_OCTET = 100;
  static final int GUEST_ADDRESSES = 100;

  private static final Pattern OWN_SUFFIX = Pattern.compile("fabric|client|host-[a-h]");

  private Layout() {}

  static String requireValidName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "testbed name must be 1-16 characters of [a-z0-9-], not starting or ending with '-': "
              + name);
    }
    return name;
  }

  static String hostName(int index) {
    return "host-" + (char) ('a' + index);
  }

  static String fabricNamespace(String testbed) {
    return testbed + "-fabric";
  }

  static String clientNamespace(String testbed) {
    return testbed + "-client";
  }

  static String hostNamespace(String testbed, int index) {
    return testbed + "-" + hostName(index);
  }

  /** The fabric-side end of a host's uplink carries the host's name ("host-a"). */
  static String fabricPort(String hostName) {
    return hostName;
  }

  /** True if {@code namespace} is one of the names testbed {@code testbed} would create. */
  static boolean belongsTo(String testbed, String namespace) {
    String prefix = testbed + "-";
    return namespace.startsWith(prefix)
        && OWN_SUFFIX.matcher(namespace.substring(prefix.length())).matches();
  }

  static String subnet(int subnetIndex) {
    return address(subnetIndex, 0) + "/" + PREFIX_LENGTH;
  }

  static String clientAddress(int subnetIndex) {
    return address(subnetIndex, CLIENT_OCTET);
  }

  static String hostAddress(int subnetIndex, int hostIndex) {
    return address(subnetIndex, FIRST_HOST_OCTET + hostIndex);
  }

  static String guestAddress(int subnetIndex, int guestIndex) {
    if (guestIndex < 0 || guestIndex >= GUEST_ADDRESSES) {
      throw new IllegalArgumentException(
          "guest index must be 0.." + (GUEST_ADDRESSES - 1) + ": " + guestIndex);
    }
    return address(subnetIndex, FIRST_GUEST_OCTET + guestIndex);
  }

  /**
   * A fixed, locally administered MAC for a host bridge: a Linux bridge otherwise takes the lowest
   * MAC of its ports, and would change address (and break ARP caches) whenever a guest tap joins.
   */
  static String hostBridgeMac(int subnetIndex, int hostIndex) {
    return String.format("02:fe:c6:12:%02x:%02x", subnetIndex, FIRST_HOST_OCTET + hostIndex);
  }

  private static String address(int subnetIndex, int octet) {
    return NETWORK_PREFIX + subnetIndex + "." + octet;
  }
}
