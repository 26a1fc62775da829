package dev.ferry.manager;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How a manager runs.
 *
 * @param listen TCP address agents and people reach it at, or empty for the unix socket only
 * @param socket unix socket for local tools, or empty
 * @param database {@code sqlite:/path} (default) or {@code jdbc:postgresql://...}
 * @param advertisedUrl the URL agents are told to reach the manager at (default: from listen)
 * @param heartbeat how often each agent is asked for its facts, load and VMs
 * @param balanceInterval how often the balancer runs a pass in automatic mode
 */
public record ManagerConfig(
    Optional<InetSocketAddress> listen,
    Optional<Path> socket,
    String database,
    Optional<String> advertisedUrl,
    Duration heartbeat,
    Duration balanceInterval) {

  public static final String DEFAULT_DATABASE = "sqlite:/var/lib/ferry/manager/inventory.db";
  public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(2);
  public static final Duration DEFAULT_BALANCE_INTERVAL = Duration.ofMinutes(1);

  public ManagerConfig {
    if (listen.isEmpty() && socket.isEmpty()) {
      throw new IllegalArgumentException("the manager needs a TCP address or a unix socket");
    }
    if (heartbeat.isNegative()
        || heartbeat.isZero()
        || heartbeat.compareTo(Duration.ofMinutes(5)) > 0) {
      throw new IllegalArgumentException(
          "heartbeat must be between 0 and 5 minutes, not " + heartbeat);
    }
    if (balanceInterval.compareTo(Duration.ofSeconds(1)) < 0
        || balanceInterval.compareTo(Duration.ofHours(24)) > 0) {
      throw new IllegalArgumentException(
          "balance interval must be between 1 s and 24 h, not " + balanceInterval);
    }
  }

  /**
   * Where the manager keeps its tokens and audit log unless told otherwise: beside a SQLite
   * inventory, else {@code /var/lib/ferry/manager}.
   */
  public Path securityDir() {
    if (database.startsWith("sqlite:")) {
      Path db = Path.of(database.substring("sqlite:".length())).toAbsolutePath();
      return db.getParent();
    }
    return Path.of("/var/lib/ferry/manager");
  }

  /** The URL agents reach the manager at. */
  public String agentFacingUrl() {
    return advertisedUrl.orElseGet(
        () ->
            listen
                .map(a -> "http://" + a.getHostString() + ":" + a.getPort())
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            "a manager on a unix socket only needs --advertise URL for agents")));
  }
}
