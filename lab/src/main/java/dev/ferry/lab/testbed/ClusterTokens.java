package dev.ferry.lab.testbed;

import dev.ferry.api.auth.BearerToken;
import dev.ferry.api.auth.Role;
import dev.ferry.api.auth.TokenStore;
import java.nio.file.Path;

/**
 * A testbed's cluster token: one admin token that every agent and the manager of the testbed accept
 * and present to each other over TCP, as the hosts of a real cluster share theirs. Made when the
 * testbed comes up, in its state directory; gone with it.
 */
public final class ClusterTokens {
  static final String STORE = "cluster-tokens.json";
  static final String TOKEN = "cluster.token";

  private ClusterTokens() {}

  /** The tokens every daemon of the testbed in {@code testbedDir} accepts. */
  public static Path store(Path testbedDir) {
    return testbedDir.resolve(STORE);
  }

  /** The token they present (mode 0600). */
  public static Path token(Path testbedDir) {
    return testbedDir.resolve(TOKEN);
  }

  static void create(Path testbedDir) {
    BearerToken t = TokenStore.open(store(testbedDir)).add("cluster", Role.ADMIN);
    TokenStore.writeSecret(token(testbedDir), t);
  }
}
