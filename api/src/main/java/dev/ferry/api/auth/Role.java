package dev.ferry.api.auth;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * What a caller may do, each role covering the ones below it: {@code viewer} reads, {@code
 * operator} also runs the cluster (VM lifecycle, migrations, maintenance, balancing), {@code admin}
 * also changes who belongs to it (hosts, the manager binding, leases, peers' incoming migrations).
 */
public enum Role {
  VIEWER,
  OPERATOR,
  ADMIN;

  /** Whether this role may do what {@code needed} may. */
  public boolean covers(Role needed) {
    return compareTo(needed) >= 0;
  }

  @JsonValue
  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static Role parse(String text) {
    for (Role r : values()) {
      if (r.text().equals(text)) {
        return r;
      }
    }
    throw new IllegalArgumentException("role '" + text + "' is not viewer, operator or admin");
  }
}
