package dev.ferry.api.auth;

import java.util.Objects;

/**
 * Who made a request: the name of the token presented (or the local socket) and its role.
 *
 * @param name the token's name, e.g. {@code cluster} or {@code alice}
 * @param role what it may do
 */
public record Principal(String name, Role role) {
  /** Root on the host, through the agent's or manager's unix socket (mode 0600). */
  public static final Principal LOCAL_SOCKET = new Principal("local-socket", Role.ADMIN);

  public Principal {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(role, "role");
  }
}
