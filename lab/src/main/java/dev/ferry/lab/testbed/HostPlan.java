package dev.ferry.lab.testbed;

import java.net.URI;
import java.nio.file.Path;

/**
 * Where one namespace host lives: its names, its address on the testbed subnet, its agent's
 * endpoints, and its directories. Known before anything is built; see {@link HostInfo} for the
 * running host.
 *
 * @param name the host's name, {@code host-a}, {@code host-b}, ...
 * @param index 0 for host-a, 1 for host-b, ...
 * @param namespace the network namespace, {@code <testbed>-host-a}
 * @param address the host's own IPv4 address, carried by {@code bridge}
 * @param prefixLength the subnet's prefix length (24)
 * @param bridge the bridge in the namespace that holds the uplink and the guests' taps ({@code
 *     br0})
 * @param agentUrl the agent's HTTP endpoint on the testbed network
 * @param agentSocket the agent's unix socket, reachable from any namespace
 * @param stateDir the host's runtime directory ({@code <stateRoot>/<testbed>/<host>})
 * @param logFile where the agent's stdout and stderr go
 * @param sharedDir storage every host of the testbed sees (the same directory for all)
 * @param localDir storage only this host uses
 */
public record HostPlan(
    String name,
    int index,
    String namespace,
    String address,
    int prefixLength,
    String bridge,
    URI agentUrl,
    Path agentSocket,
    Path stateDir,
    Path logFile,
    Path sharedDir,
    Path localDir) {

  /** The host's address with its prefix, as {@code ip addr} shows it: {@code 198.18.0.10/24}. */
  public String cidr() {
    return address + "/" + prefixLength;
  }
}
