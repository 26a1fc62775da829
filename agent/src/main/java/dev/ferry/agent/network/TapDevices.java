package dev.ferry.agent.network;

import dev.ferry.agent.AgentException;
import dev.ferry.common.process.ProcessOutcome;
import dev.ferry.common.process.ProcessRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host side of VM networking: one tap per NIC, enslaved to a named bridge. Tap names derive
 * from the VM's UUID so they are stable and fit the kernel's 15-character limit.
 */
public final class TapDevices {
  private static final Logger log = LoggerFactory.getLogger(TapDevices.class);
  private static final Path SYS_NET = Path.of("/sys/class/net");
  private static final Duration IP_TIMEOUT = Duration.ofSeconds(20);

  /** {@code fy} + 8 hex digits of the VM UUID + NIC index: e.g. {@code fy1a2b3c4d0}. */
  public static String tapName(UUID vm, int nicIndex) {
    return "fy" + vm.toString().substring(0, 8) + nicIndex;
  }

  /** Bridges present on this host (in this network namespace). */
  public List<String> bridges() {
    try (Stream<Path> links = Files.list(SYS_NET)) {
      return links
          .filter(p -> Files.isDirectory(p.resolve("bridge")))
          .map(p -> p.getFileName().toString())
          .sorted()
          .toList();
    } catch (IOException e) {
      log.warn("Cannot list network interfaces: {}", e.toString());
      return List.of();
    }
  }

  public boolean bridgeExists(String bridge) {
    return Files.isDirectory(SYS_NET.resolve(bridge).resolve("bridge"));
  }

  private final java.util.concurrent.ConcurrentMap<
          String, java.util.concurrent.CompletableFuture<Void>>
      deleting = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Removes a tap in the background: deleting a link waits for the kernel's RCU grace periods
   * (often a second or more in a namespace), which nothing needs to wait for once QEMU is gone. A
   * later {@link #create} of the same name waits for it.
   */
  public void deleteLater(String tap) {
    var done = new java.util.concurrent.CompletableFuture<Void>();
    deleting.put(tap, done);
    Thread.ofVirtual()
        .name("tap-delete-" + tap)
        .start(
            () -> {
              try {
                delete(tap);
              } finally {
                deleting.remove(tap, done);
                done.complete(null);
              }
            });
  }

  /** Creates (or re-creates a stale) tap and plugs it into the bridge. */
  public void create(String tap, String bridge) {
    var pending = deleting.get(tap);
    if (pending != null) {
      pending.join();
    }
    if (!bridgeExists(bridge)) {
      throw new AgentException.BadRequest("bridge '" + bridge + "' does not exist on this host");
    }
    if (Files.exists(SYS_NET.resolve(tap))) {
      log.info("Removing stale tap {} before re-creating it", tap);
      delete(tap);
    }
    ip(List.of("ip", "tuntap", "add", "dev", tap, "mode", "tap"));
    try {
      ip(List.of("ip", "link", "set", "dev", tap, "master", bridge));
      ip(List.of("ip", "link", "set", "dev", tap, "up"));
    } catch (AgentException e) {
      delete(tap);
      throw e;
    }
    log.debug("Tap {} created on bridge {}", tap, bridge);
  }

  /** Removes a tap; absent taps are fine. */
  public void delete(String tap) {
    if (!Files.exists(SYS_NET.resolve(tap))) {
      return;
    }
    try {
      ProcessOutcome r = ProcessRunner.run(IP_TIMEOUT, List.of("ip", "link", "del", "dev", tap));
      if (!r.ok()) {
        log.warn("Could not delete tap {}: {}", tap, r.describe());
      }
    } catch (UncheckedIOException e) {
      log.warn("Could not delete tap {}: {}", tap, e.getMessage());
    }
  }

  /** Runs an {@code ip} command; a failure is the host's, so a 500 naming the command. */
  private static void ip(List<String> command) {
    ProcessOutcome r;
    try {
      r = ProcessRunner.run(IP_TIMEOUT, command);
    } catch (UncheckedIOException e) {
      throw new AgentException.Failed(e.getMessage(), e);
    }
    if (!r.ok()) {
      throw new AgentException.Failed(r.describe(), null);
    }
  }
}
