package dev.ferry.lab.testbed;

import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The content of {@code <stateRoot>/<name>/testbed.json}. Written before anything is built and
 * rewritten after each change, so that {@link Down} can clean up after a crash at any point.
 *
 * <p>Version 1. Paths are plain strings so that operators can read the file.
 */
record TestbedState(
    int version,
    String name,
    Phase phase,
    Instant createdAt,
    int subnetIndex,
    String subnet,
    String stateRoot,
    String dataRoot,
    String fabricNamespace,
    String fabricBridge,
    String clientNamespace,
    String clientInterface,
    String clientAddress,
    List<String> namespaces,
    List<Host> hosts) {

  static final int VERSION = 1;

  enum Phase {
    /** Being built: anything in {@link #namespaces} may or may not exist yet. */
    BUILDING,
    /** Built, and every agent (if any) reported ready. */
    READY
  }

  /** One host as recorded; {@code agentPid} and {@code agentCommand} are null without an agent. */
  record Host(
      String name,
      int index,
      String namespace,
      String address,
      int prefixLength,
      String bridge,
      String agentUrl,
      String agentSocket,
      String stateDir,
      String logFile,
      String sharedDir,
      String localDir,
      Long agentPid,
      List<String> agentCommand) {

    static Host planned(HostPlan p) {
      return new Host(
          p.name(),
          p.index(),
          p.namespace(),
          p.address(),
          p.prefixLength(),
          p.bridge(),
          p.agentUrl().toString(),
          p.agentSocket().toString(),
          p.stateDir().toString(),
          p.logFile().toString(),
          p.sharedDir().toString(),
          p.localDir().toString(),
          null,
          null);
    }

    Host withAgent(long pid, List<String> command) {
      return new Host(
          name,
          index,
          namespace,
          address,
          prefixLength,
          bridge,
          agentUrl,
          agentSocket,
          stateDir,
          logFile,
          sharedDir,
          localDir,
          pid,
          List.copyOf(command));
    }

    HostPlan plan() {
      return new HostPlan(
          name,
          index,
          namespace,
          address,
          prefixLength,
          bridge,
          URI.create(agentUrl),
          Path.of(agentSocket),
          Path.of(stateDir),
          Path.of(logFile),
          Path.of(sharedDir),
          Path.of(localDir));
    }

    HostInfo info() {
      return new HostInfo(
          plan(), agentPid == null ? OptionalLong.empty() : OptionalLong.of(agentPid));
    }
  }

  /** Every namespace of {@code spec} listed up front, before any exists. */
  static TestbedState planned(TestbedSpec spec, Instant now) {
    List<String> namespaces = new ArrayList<>();
    namespaces.add(spec.fabricNamespace());
    spec.hostPlans().forEach(h -> namespaces.add(h.namespace()));
    namespaces.add(spec.clientNamespace());
    return new TestbedState(
        VERSION,
        spec.name(),
        Phase.BUILDING,
        now,
        spec.subnetIndex(),
        spec.subnet(),
        spec.stateRoot().toString(),
        spec.dataRoot().toString(),
        spec.fabricNamespace(),
        Layout.FABRIC_BRIDGE,
        spec.clientNamespace(),
        Layout.CLIENT_INTERFACE,
        spec.clientAddress(),
        List.copyOf(namespaces),
        spec.hostPlans().stream().map(Host::planned).toList());
  }

  TestbedState withPhase(Phase next) {
    return new TestbedState(
        version,
        name,
        next,
        createdAt,
        subnetIndex,
        subnet,
        stateRoot,
        dataRoot,
        fabricNamespace,
        fabricBridge,
        clientNamespace,
        clientInterface,
        clientAddress,
        namespaces,
        hosts);
  }

  TestbedState withAgent(String host, long pid, List<String> command) {
    List<Host> updated =
        hosts.stream().map(h -> h.name().equals(host) ? h.withAgent(pid, command) : h).toList();
    return new TestbedState(
        version,
        name,
        phase,
        createdAt,
        subnetIndex,
        subnet,
        stateRoot,
        dataRoot,
        fabricNamespace,
        fabricBridge,
        clientNamespace,
        clientInterface,
        clientAddress,
        namespaces,
        updated);
  }
}
