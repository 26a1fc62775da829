package dev.ferry.agent.migration.outgoing;

import dev.ferry.api.AgentEndpoint;
import dev.ferry.api.IncomingOffer;
import dev.ferry.common.Excerpt;
import dev.ferry.migration.MigrationId;
import dev.ferry.migration.Offer;
import dev.ferry.qmp.MigrationUri;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the destination's answer to prepare as hostile input. The destination only chooses ports:
 * the stream's address is the one the source already reaches the destination agent at (the host
 * registered with the manager, or given by the operator), so a peer cannot point the source's QEMU
 * at a shell ({@code exec:}), a file, another host or an option string. A destination reached over
 * a unix socket lives on this machine and must offer a loopback address.
 */
final class OfferCheck {
  private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "::1", "localhost");

  /** What to do with an offer. */
  sealed interface Verdict {
    /** Use this offer; its addresses were built here. */
    record Accepted(Offer offer) implements Verdict {}

    /** Refuse the destination; {@code reason} names what was wrong. */
    record Refused(String reason) implements Verdict {}
  }

  private OfferCheck() {}

  static Verdict check(
      MigrationId expected, IncomingOffer offer, AgentEndpoint destination, boolean copiesDisks) {
    if (offer == null || offer.uri() == null) {
      return new Verdict.Refused("the destination's offer has no migration stream address");
    }
    if (!expected.equals(offer.migration())) {
      return new Verdict.Refused(
          "the destination answered for migration " + offer.migration() + ", not " + expected);
    }
    MigrationUri offered;
    try {
      offered = MigrationUri.parse(offer.uri());
    } catch (IllegalArgumentException e) {
      return new Verdict.Refused("the destination offered an unusable stream: " + e.getMessage());
    }
    if (!(offered instanceof MigrationUri.Tcp tcp)) {
      return new Verdict.Refused(
          "the destination offered " + offered.text() + "; only a TCP stream to it is accepted");
    }
    Optional<String> mismatch = wrongHost("migration stream", tcp.host(), destination);
    if (mismatch.isPresent()) {
      return new Verdict.Refused(mismatch.get());
    }
    if (tcp.port() < 1) {
      return new Verdict.Refused("the destination offered port " + tcp.port() + " for the stream");
    }
    String host = hostOf(destination).orElse(tcp.host());
    Optional<Offer.Nbd> nbd = Optional.empty();
    if (copiesDisks) {
      if (offer.nbdHost().isEmpty()) {
        return new Verdict.Refused("the destination offered no NBD server for the disk copies");
      }
      Optional<String> nbdMismatch = wrongHost("NBD server", offer.nbdHost().get(), destination);
      if (nbdMismatch.isPresent()) {
        return new Verdict.Refused(nbdMismatch.get());
      }
      if (offer.nbdPort() < 1 || offer.nbdPort() > 65535) {
        return new Verdict.Refused(
            "the destination offered port " + offer.nbdPort() + " for its NBD server");
      }
      nbd = Optional.of(new Offer.Nbd(host, offer.nbdPort()));
    }
    return new Verdict.Accepted(new Offer(new MigrationUri.Tcp(host, tcp.port()), nbd));
  }

  /** The host part of a TCP agent URL, lower case, without IPv6 brackets. */
  private static Optional<String> hostOf(AgentEndpoint destination) {
    return switch (destination) {
      case AgentEndpoint.Tcp t -> Optional.of(normal(t.baseUri().getHost()));
      case AgentEndpoint.Unix u -> Optional.empty();
    };
  }

  private static Optional<String> wrongHost(
      String what, String offeredHost, AgentEndpoint destination) {
    String offered = normal(offeredHost);
    Optional<String> known = hostOf(destination);
    if (known.isPresent() && !known.get().equals(offered)) {
      return Optional.of(
          "the destination offered its "
              + what
              + " on "
              + shown(offeredHost)
              + ", but its agent is at "
              + known.get()
              + "; a stream goes only to the destination's own address");
    }
    if (known.isEmpty() && !LOOPBACK.contains(offered)) {
      return Optional.of(
          "the destination, reached over a local socket, offered its "
              + what
              + " on "
              + shown(offeredHost)
              + "; only a loopback address is accepted");
    }
    return Optional.empty();
  }

  private static String normal(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
  }

  private static String shown(String s) {
    return "'" + Excerpt.of(s, 80) + "'";
  }
}
