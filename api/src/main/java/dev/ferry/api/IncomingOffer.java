package dev.ferry.api;

import dev.ferry.migration.MigrationId;

/**
 * The destination is ready: the source's QEMU sends its stream to {@code uri}; disks to copy are
 * exported by an NBD server at {@code nbdHost:nbdPort}, one export per disk id.
 */
public record IncomingOffer(
    MigrationId migration, String uri, java.util.Optional<String> nbdHost, int nbdPort) {
  public IncomingOffer {
    nbdHost = nbdHost == null ? java.util.Optional.empty() : nbdHost;
  }
}
