package dev.ferry.lab.testbed;

import dev.ferry.api.HostDirectory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * What {@link Testbed#up(TestbedSpec)} builds: {@code hosts} namespace hosts and a client on the
 * subnet {@code 198.18.<subnetIndex>.0/24}.
 *
 * <p>Start from {@link #defaults()} or {@link #named(String)} and adjust with the {@code with...}
 * methods.
 *
 * @param name the testbed's name, 1-16 characters of {@code [a-z0-9-]}; prefixes every namespace
 * @param hosts how many hosts, 1..8 (host-a .. host-h)
 * @param subnetIndex {@code k} in {@code 198.18.k.0/24}, 0..255
 * @param stateRoot runtime state (state file, agent sockets and logs) goes under {@code
 *     <stateRoot>/<name>}
 * @param dataRoot storage directories go under {@code <dataRoot>/<name>}
 * @param agentLauncher starts one agent per host; {@code null} builds the network only
 * @param agentReadyTimeout how long each agent may take to become ready
 */
public record TestbedSpec(
    String name,
    int hosts,
    int subnetIndex,
    Path stateRoot,
    Path dataRoot,
    AgentLauncher agentLauncher,
    Duration agentReadyTimeout) {

  public static final String DEFAULT_NAME = "ferry";
  public static final int DEFAULT_HOSTS = 2;
  public static final Path DEFAULT_STATE_ROOT = HostDirectory.DEFAULT_ROOT;
  public static final Path DEFAULT_DATA_ROOT = Path.of("/var/lib/ferry/testbed");
  public static final Duration DEFAULT_AGENT_READY_TIMEOUT = Duration.ofSeconds(30);

  /** A unix socket path must fit {@code sockaddr_un.sun_path} with its terminating NUL. */
  private static final int MAX_SOCKET_PATH_BYTES = 107;

  public TestbedSpec {
    Layout.requireValidName(name);
    if (hosts < 1 || hosts > Layout.MAX_HOSTS) {
      throw new IllegalArgumentException("hosts must be 1.." + Layout.MAX_HOSTS + ": " + hosts);
    }
    if (subnetIndex < 0 || subnetIndex > Layout.MAX_SUBNET_INDEX) {
      throw new IllegalArgumentException(
          "subnet index must be 0.." + Layout.MAX_SUBNET_INDEX + ": " + subnetIndex);
    }
    stateRoot = requireAbsolute("state root", stateRoot);
    dataRoot = requireAbsolute("data root", dataRoot);
    Objects.requireNonNull(agentReadyTimeout, "agentReadyTimeout");
    if (agentReadyTimeout.isNegative() || agentReadyTimeout.isZero()) {
      throw new IllegalArgumentException(
          "agent ready timeout must be positive: " + agentReadyTimeout);
    }
    Path socket =
        stateRoot
            .resolve(name)
            .resolve(Layout.hostName(Layout.MAX_HOSTS - 1))
            .resolve(Layout.AGENT_SOCKET);
    if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH_BYTES) {
      throw new IllegalArgumentException(
          "state root too long: agent socket paths like " + socket + " exceed 107 bytes");
    }
  }

  /** Testbed "ferry": 2 hosts on 198.18.0.0/24, default directories, no agents. */
  public static TestbedSpec defaults() {
    return named(DEFAULT_NAME);
  }

  /** Like {@link #defaults()} with another name. */
  public static TestbedSpec named(String name) {
    return new TestbedSpec(
        name,
        DEFAULT_HOSTS,
        0,
        DEFAULT_STATE_ROOT,
        DEFAULT_DATA_ROOT,
        null,
        DEFAULT_AGENT_READY_TIMEOUT);
  }

  public TestbedSpec withHosts(int hosts) {
    return new TestbedSpec(
        name, hosts, subnetIndex, stateRoot, dataRoot, agentLauncher, agentReadyTimeout);
  }

  public TestbedSpec withSubnetIndex(int subnetIndex) {
    return new TestbedSpec(
        name, hosts, subnetIndex, stateRoot, dataRoot, agentLauncher, agentReadyTimeout);
  }

  public TestbedSpec withStateRoot(Path stateRoot) {
    return new TestbedSpec(
        name, hosts, subnetIndex, stateRoot, dataRoot, agentLauncher, agentReadyTimeout);
  }

  public TestbedSpec withDataRoot(Path dataRoot) {
    return new TestbedSpec(
        name, hosts, subnetIndex, stateRoot, dataRoot, agentLauncher, agentReadyTimeout);
  }

  /** Starts agents with {@code launcher}; {@code null} for the network only. */
  public TestbedSpec withAgentLauncher(AgentLauncher launcher) {
    return new TestbedSpec(
        name, hosts, subnetIndex, stateRoot, dataRoot, launcher, agentReadyTimeout);
  }

  public TestbedSpec withAgentReadyTimeout(Duration timeout) {
    return new TestbedSpec(name, hosts, subnetIndex, stateRoot, dataRoot, agentLauncher, timeout);
  }

  /** {@code <stateRoot>/<name>}: the state file, and per host its socket, log and runtime files. */
  public Path stateDir() {
    return stateRoot.resolve(name);
  }

  /** {@code <dataRoot>/<name>}: shared and per-host storage. */
  public Path dataDir() {
    return dataRoot.resolve(name);
  }

  public Path stateFile() {
    return stateDir().resolve(Layout.STATE_FILE);
  }

  /** {@code 198.18.<subnetIndex>.0/24}. */
  public String subnet() {
    return Layout.subnet(subnetIndex);
  }

  public String fabricNamespace() {
    return Layout.fabricNamespace(name);
  }

  public String clientNamespace() {
    return Layout.clientNamespace(name);
  }

  /** The client's address, {@code 198.18.<subnetIndex>.2}. */
  public String clientAddress() {
    return Layout.clientAddress(subnetIndex);
  }

  /** The plans of host-a, host-b, ... in order. */
  public List<HostPlan> hostPlans() {
    return IntStream.range(0, hosts).mapToObj(this::hostPlan).toList();
  }

  private HostPlan hostPlan(int index) {
    String host = Layout.hostName(index);
    String address = Layout.hostAddress(subnetIndex, index);
    Path hostState = stateDir().resolve(host);
    return new HostPlan(
        host,
        index,
        Layout.hostNamespace(name, index),
        address,
        Layout.PREFIX_LENGTH,
        Layout.HOST_BRIDGE,
        URI.create("http://" + address + ":" + Layout.AGENT_PORT),
        hostState.resolve(Layout.AGENT_SOCKET),
        hostState,
        hostState.resolve(Layout.AGENT_LOG),
        dataDir().resolve(Layout.SHARED_DIR),
        dataDir().resolve(host).resolve(Layout.LOCAL_DIR));
  }

  private static Path requireAbsolute(String what, Path path) {
    Objects.requireNonNull(path, what);
    if (!path.isAbsolute()) {
      throw new IllegalArgumentException(what + " must be an absolute path: " + path);
    }
    return path.normalize();
  }
}
