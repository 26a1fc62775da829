package dev.ferry.migration;

import dev.ferry.qmp.MigrationUri;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the destination waits: the migration stream's URI and, for a storage migration, the NBD
 * server its disk copies are exported on.
 *
 * @param uri where the source's QEMU connects: built by the source from the destination's known
 *     address and the offered port, never the peer's own string
 * @param nbd the NBD server holding the writable copies, when disks are copied
 */
public record Offer(MigrationUri uri, Optional<Nbd> nbd) {
  public Offer {
    Objects.requireNonNull(uri, "uri");
    nbd = nbd == null ? Optional.empty() : nbd;
  }

  /** An NBD server address on the destination. */
  public record Nbd(String host, int port) {
    public Nbd {
      Objects.requireNonNull(host, "host");
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("NBD port " + port + " out of range");
      }
    }
  }
}
