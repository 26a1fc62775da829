package dev.ferry.manager.http;

import dev.ferry.manager.Manager;
import dev.ferry.manager.ManagerConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/** A real manager for API tests: SQLite, tokens and socket under {@code dir}, a loopback port. */
final class TestManagers {
  private TestManagers() {}

  record Running(Manager manager, URI base) {}

  static Running onLoopback(Path dir) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Manager manager =
        Manager.start(
            new ManagerConfig(
                Optional.of(new InetSocketAddress("127.0.0.1", port)),
                Optional.of(dir.resolve("manager.sock")),
                "sqlite:" + dir.resolve("inventory.db"),
                Optional.empty(),
                ManagerConfig.DEFAULT_HEARTBEAT,
                ManagerConfig.DEFAULT_BALANCE_INTERVAL));
    return new Running(manager, URI.create("http://127.0.0.1:" + port));
  }
}
