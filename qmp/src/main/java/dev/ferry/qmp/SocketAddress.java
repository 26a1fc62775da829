package dev.ferry.qmp;

import java.nio.file.Path;
import java.util.Objects;

/** Where an NBD server listens or an NBD client connects. */
public sealed interface SocketAddress {

  /** A TCP address; QEMU resolves {@code host} itself. */
  record Inet(String host, int port) implements SocketAddress {
    public Inet {
      Objects.requireNonNull(host, "host");
      if (host.isBlank()) {
        throw new IllegalArgumentException("host must not be blank");
      }
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
    }
  }

  /** A UNIX domain socket path. */
  record Unix(Path path) implements SocketAddress {
    public Unix {
      Objects.requireNonNull(path, "path");
    }
  }
}
