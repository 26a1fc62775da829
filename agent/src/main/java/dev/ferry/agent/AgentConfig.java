package dev.ferry.agent;

import dev.ferry.qemu.AcceleratorChoice;
import dev.ferry.qemu.ProbeGuest;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * How one agent runs.
 *
 * @param hostName the name this host goes by in Ferry (defaults to the kernel's host name)
 * @param listen TCP address for peers and the manager; empty: unix socket only
 * @param socket unix socket for local tools; empty: TCP only
 * @param stateDir where VM records and runtime files live; survives agent restarts
 * @param storageRoots directories VM images and boot files must lie in
 * @param accelerator {@code auto}, {@code kvm} or {@code tcg}
 * @param qemuBinary the QEMU system emulator
 * @param probeGuest a guest that proves KVM really runs guests, for {@code auto}
 * @param localStorage where disks copied to this host land (default: the first storage root)
 */
public record AgentConfig(
    String hostName,
    Optional<InetSocketAddress> listen,
    Optional<Path> socket,
    Path stateDir,
    List<Path> storageRoots,
    dev.ferry.qemu.AcceleratorChoice accelerator,
    Path qemuBinary,
    Optional<ProbeGuest> probeGuest,
    Optional<Path> localStorage) {

  public AgentConfig {
    if (listen.isEmpty() && socket.isEmpty()) {
      throw new IllegalArgumentException("the agent needs a TCP address or a unix socket");
    }
    storageRoots = List.copyOf(storageRoots);
    localStorage = localStorage == null ? Optional.empty() : localStorage;
    Path local = localStorage.orElse(null);
    if (local != null
        && storageRoots.stream().noneMatch(r -> local.normalize().startsWith(r.normalize()))) {
      throw new IllegalArgumentException(
          "local storage " + local + " must lie inside a storage root " + storageRoots);
    }
  }

  /** A default port for agents: 7700. */
  public static final int DEFAULT_PORT = 7700;

  /** The accelerator setting as given. */
  public AcceleratorChoice acceleratorChoice() {
    return accelerator;
  }
}
