package dev.ferry.qmp;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.ferry.common.Excerpt;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a migration stream goes: the only two transports Ferry lets reach QEMU. QEMU also accepts
 * {@code exec:} (run through {@code /bin/sh}), {@code fd:}, {@code file:} and {@code rdma:}, and
 * options after a comma; none of those can be written as a {@code MigrationUri}, so a URI that came
 * from a peer can never make QEMU run a command or write a file.
 */
public sealed interface MigrationUri {

  /** The form QEMU reads, e.g. {@code tcp:198.18.0.2:4444}. */
  @JsonValue
  String text();

  /**
   * Parses {@code tcp:HOST:PORT} (HOST an IPv4 literal, a bracketed IPv6 literal or a DNS name) or
   * {@code unix:/absolute/path}; anything else is refused with the reason.
   */
  @JsonCreator
  static MigrationUri parse(String text) {
    Objects.requireNonNull(text, "migration URI");
    if (text.startsWith("tcp:")) {
      String rest = text.substring("tcp:".length());
      int colon = rest.lastIndexOf(':');
      if (colon < 1) {
        throw new IllegalArgumentException(
            "migration URI '" + shown(text) + "' has no port (expected tcp:HOST:PORT)");
      }
      String host = rest.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      return new Tcp(host, port(text, rest.substring(colon + 1)));
    }
    if (text.startsWith("unix:")) {
      return new Unix(Path.of(text.substring("unix:".length())));
    }
    int colon = text.indexOf(':');
    String transport = colon > 0 ? text.substring(0, Math.min(colon, 16)) : shown(text);
    throw new IllegalArgumentException(
        "migration transport '"
            + transport
            + "' is not allowed: only tcp:HOST:PORT and unix:PATH reach QEMU");
  }

  /** A TCP stream; port 0 only for a listener that lets the kernel choose. */
  record Tcp(String host, int port) implements MigrationUri {
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:]{2,39}");
    private static final Pattern DNS =
        Pattern.compile(
            "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    public Tcp {
      Objects.requireNonNull(host, "host");
      if (host.length() > 253
          || !(IPV4.matcher(host).matches()
              || (host.contains(":") && IPV6.matcher(host).matches())
              || DNS.matcher(host).matches())) {
        throw new IllegalArgumentException(
            "migration host '" + shown(host) + "' is not an IP address or a host name");
      }
      host = host.toLowerCase(Locale.ROOT);
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("migration port " + port + " is out of range");
      }
    }

    @Override
    public String text() {
      return "tcp:" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
      return text();
    }
  }

  /** A unix-domain socket, for streams between processes of one host (tests, local tools). */
  record Unix(Path socket) implements MigrationUri {
    public Unix {
      Objects.requireNonNull(socket, "socket");
      String s = socket.toString();
      if (!socket.isAbsolute() || s.contains(",") || s.chars().anyMatch(c -> c < 0x20)) {
        throw new IllegalArgumentException(
            "migration socket '" + shown(s) + "' must be an absolute path without commas");
      }
    }

    @Override
    public String text() {
      return "unix:" + socket;
    }

    @Override
    public String toString() {
      return text();
    }
  }

  private static int port(String text, String digits) {
    if (!digits.matches("\\d{1,5}")) {
      throw new IllegalArgumentException(
          "migration URI '" + shown(text) + "' has no numeric port (expected tcp:HOST:PORT)");
    }
    return Integer.parseInt(digits);
  }

  /** Quotes peer-supplied text in an error without letting it run on for pages. */
  private static String shown(String s) {
    return Excerpt.of(s, 80);
  }
}
