package dev.ferry.agent.network;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.ferry.agent.AgentException;
import dev.ferry.common.process.ProcessOutcome;
import dev.ferry.common.process.ProcessRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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

  /**
   * {@code fy} + 11 base-32 characters of a SHA-256 of the whole VM UUID + the NIC index (at most
   * 15 characters): two VMs share a name only if someone finds a 55-bit collision, not when their
   * UUIDs share a prefix, and even then {@link #create} refuses a tap that a running QEMU holds.
   */
  public static String tapName(UUID vm, int nicIndex) {
    if (nicIndex < 0 || nicIndex > 99) {
      throw new IllegalArgumentException("NIC index " + nicIndex + " out of range 0..99");
    }
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("SHA-256").digest(vm.toString().getBytes(US_ASCII));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
    StringBuilder name = new StringBuilder("fy");
    long bits = ByteBuffer.wrap(digest).getLong();
    for (int i = 0; i < 11; i++) {
      name.append(BASE32.charAt((int) (bits >>> (59 - 5 * i)) & 31));
    }
    return name.append(nicIndex).toString();
  }

  private static final String BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

  /**
   * Whether a process holds the tap open: the tun driver raises the carrier while a queue is
   * attached, and drops it when the last holder (a QEMU) closes it.
   */
  static boolean attached(String tap) {
    try {
      return Files.readString(SYS_NET.resolve(tap).resolve("carrier")).strip().equals("1");
    } catch (IOException | UncheckedIOException e) {
      return false;
    }
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
      if (attached(tap)) {
        throw new AgentException.Conflict(
            "tap " + tap + " is in use by a running QEMU on this host; refusing to take it over");
      }
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
    if (attached(tap)) {
      log.warn("Not deleting tap {}: a running QEMU still holds it", tap);
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
