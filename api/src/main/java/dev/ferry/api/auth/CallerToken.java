package dev.ferry.api.auth;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The token this process presents when it calls an agent or a manager over TCP. A daemon sets it
 * once at start (the cluster token it was given); a client process (the CLI, the lab, the bench)
 * takes it from its environment ({@link BearerToken#fromEnvironment()}). Calls over a unix socket
 * need none: the socket is root's.
 */
public final class CallerToken {
  private static final AtomicReference<Optional<BearerToken>> CURRENT = new AtomicReference<>();

  private CallerToken() {}

  /** Makes {@code token} the one every later call of this process presents. */
  public static void use(Optional<BearerToken> token) {
    CURRENT.set(token);
  }

  /** The token calls present now; read from the environment the first time if none was set. */
  public static Optional<BearerToken> current() {
    Optional<BearerToken> t = CURRENT.get();
    if (t == null) {
      t = BearerToken.fromEnvironment();
      CURRENT.compareAndSet(null, t);
    }
    return t;
  }
}
