package dev.ferry.api;

import java.net.URI;
import java.nio.file.Path;

/**
 * Where an agent listens: a TCP URL ({@code http://198.18.0.11:7700}) or a local unix socket
 * ({@code unix:/run/ferry/agent.sock}). The unix socket is how a host's own tools reach an agent
 * that lives in another network namespace.
 */
public sealed interface AgentEndpoint {

  /** The base URL requests are made against. */
  URI baseUri();

  /** Parses {@code http://host:port}, {@code unix:/path} or a bare absolute socket path. */
  static AgentEndpoint parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("the agent address is missing");
    }
    String t = text.strip();
    if (t.startsWith("unix:")) {
      return new Unix(Path.of(t.substring("unix:".length()).replaceFirst("^//", "")));
    }
    if (t.startsWith("/")) {
      return new Unix(Path.of(t));
    }
    if (t.startsWith("http://") || t.startsWith("https://")) {
      URI uri;
      try {
        uri = new URI(t.endsWith("/") ? t.substring(0, t.length() - 1) : t);
      } catch (java.net.URISyntaxException e) {
        throw new IllegalArgumentException(
            "agent URL '" + text + "' is malformed: " + e.getReason());
      }
      if (uri.getHost() == null) {
        throw new IllegalArgumentException("agent URL '" + text + "' has no host");
      }
      if (uri.getRawUserInfo() != null
          || !uri.getRawPath().isEmpty()
          || uri.getRawQuery() != null
          || uri.getRawFragment() != null) {
        throw new IllegalArgumentException(
            "agent URL '"
                + text
                + "' must be http://HOST:PORT, without user, password, path, query or fragment");
      }
      return new Tcp(uri);
    }
    throw new IllegalArgumentException(
        "agent address '" + text + "' is neither http://HOST:PORT nor unix:/PATH");
  }

  /** A TCP endpoint. */
  record Tcp(URI baseUri) implements AgentEndpoint {
    @Override
    public String toString() {
      return baseUri.toString();
    }
  }

  /** A unix-domain socket endpoint. */
  record Unix(Path socket) implements AgentEndpoint {
    @Override
    public URI baseUri() {
      return URI.create("http://localhost");
    }

    @Override
    public String toString() {
      return "unix:" + socket;
    }
  }
}
