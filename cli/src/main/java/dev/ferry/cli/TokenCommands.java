package dev.ferry.cli;

import dev.ferry.api.auth.BearerToken;
import dev.ferry.api.auth.Role;
import dev.ferry.api.auth.TokenStore;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * API tokens, managed on the host that serves them (root, on the token file the agent or manager
 * reads; it sees changes at the next request). A token's secret is printed once, at creation.
 */
@Command(
    name = "token",
    description = "API tokens a manager or agent accepts over TCP (run on its host, as root).",
    subcommands = {
      TokenCommands.Create.class,
      TokenCommands.List.class,
      TokenCommands.Remove.class
    })
final class TokenCommands {

  abstract static class OnStore {
    @Option(
        names = "--tokens",
        defaultValue = "/var/lib/ferry/manager/tokens.json",
        description =
            "The token file (default: ${DEFAULT-VALUE}; an agent's: STATE-DIR/tokens.json).")
    Path tokens;
  }

  @Command(name = "create", description = "Create a token; prints it once.")
  static final class Create extends OnStore implements Callable<Integer> {
    @Parameters(index = "0", description = "Its name (who holds it), e.g. alice or ci.")
    String name;

    @Option(
        names = "--role",
        defaultValue = "viewer",
        description = "viewer, operator or admin (default: ${DEFAULT-VALUE}).")
    String role;

    @Option(names = "--out", description = "Write the token to this file (mode 0600) instead.")
    Path out;

    @Override
    public Integer call() {
      BearerToken token = TokenStore.open(tokens).add(name, Role.parse(role));
      if (out != null) {
        TokenStore.writeSecret(out, token);
        System.out.println("token '" + name + "' (" + role + ") written to " + out);
      } else {
        System.out.println(token.text());
      }
      return ExitCode.OK.code();
    }
  }

  @Command(name = "list", description = "List the tokens (names, roles, ids; never secrets).")
  static final class List extends OnStore implements Callable<Integer> {
    @Override
    public Integer call() {
      for (TokenStore.Entry e : TokenStore.open(tokens).entries()) {
        System.out.printf(
            "%-24s %-9s ferry_%s_…  %s%n", e.name(), e.role().text(), e.id(), e.created());
      }
      return ExitCode.OK.code();
    }
  }

  @Command(name = "remove", description = "Remove a token: it is refused from the next request on.")
  static final class Remove extends OnStore implements Callable<Integer> {
    @Parameters(index = "0", description = "The token's name.")
    String name;

    @Override
    public Integer call() {
      if (!TokenStore.open(tokens).remove(name)) {
        System.err.println("no token named '" + name + "' in " + tokens);
        return ExitCode.NOT_FOUND.code();
      }
      System.out.println("token '" + name + "' removed");
      return ExitCode.OK.code();
    }
  }
}
