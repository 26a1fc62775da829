package dev.ferry.api.http;

import dev.ferry.api.auth.BearerToken;
import dev.ferry.api.auth.Principal;
import dev.ferry.api.auth.Role;
import dev.ferry.api.auth.TokenStore;
import dev.ferry.api.route.Route;
import io.javalin.http.Context;
import java.util.Optional;

/**
 * Who may call what. Over the unix socket (root's, mode 0600 by the kernel's rules for the
 * directory) the caller is root; over TCP it must present a bearer token the server's {@link
 * TokenStore} knows, whose role covers the route's ({@link Route#access()}): 401 without one, 403
 * when the role is too small. Nothing else of the request is read before that.
 */
final class Guard {
  static final String PRINCIPAL = "ferry.principal";
  static final String VIA_LOCAL_SOCKET = "ferry.via-local-socket";

  /** Anyone over TCP is admin: only for servers built with {@code unauthenticated()}. */
  private static final Principal ANYONE = new Principal("unauthenticated", Role.ADMIN);

  private final Optional<TokenStore> tokens;

  Guard(Optional<TokenStore> tokens) {
    this.tokens = tokens;
  }

  /** The caller, if it may call {@code route}; throws the 401 or 403 otherwise. */
  Principal admit(Context ctx, Route<?, ?> route) {
    Principal who = who(ctx);
    ctx.attribute(PRINCIPAL, who);
    if (!who.role().covers(route.access())) {
      throw RequestRejected.forbidden(
          "token '"
              + who.name()
              + "' is "
              + who.role().text()
              + "; "
              + route
              + " needs "
              + route.access().text());
    }
    return who;
  }

  private Principal who(Context ctx) {
    if (Boolean.TRUE.equals(ctx.attribute(VIA_LOCAL_SOCKET))) {
      return Principal.LOCAL_SOCKET;
    }
    if (tokens.isEmpty()) {
      return ANYONE;
    }
    String header = ctx.header("Authorization");
    if (header == null || header.isBlank()) {
      throw unauthorized(ctx, "no credentials: send Authorization: Bearer <token>");
    }
    if (!header.startsWith("Bearer ")) {
      throw unauthorized(ctx, "only bearer tokens are accepted (Authorization: Bearer <token>)");
    }
    BearerToken token;
    try {
      token = BearerToken.parse(header.substring("Bearer ".length()));
    } catch (IllegalArgumentException e) {
      throw unauthorized(ctx, e.getMessage());
    }
    return tokens
        .get()
        .verify(token)
        .orElseThrow(() -> unauthorized(ctx, "token " + token + " is not accepted here"));
  }

  private static RequestRejected unauthorized(Context ctx, String why) {
    ctx.header("WWW-Authenticate", "Bearer realm=\"ferry\"");
    return RequestRejected.unauthorized(why);
  }
}
