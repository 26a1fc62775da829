package dev.ferry.cli;

import dev.ferry.api.auth.ServerSecurity;
import dev.ferry.manager.Manager;
import dev.ferry.manager.ManagerConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ferry manager run}: the cluster manager daemon, in the foreground. */
@Command(
    name = "manager",
    description = "Run the cluster manager.",
    subcommands = {ManagerCommand.Run.class})
final class ManagerCommand {

  @Command(
      name = "run",
      description =
          "Run the manager in the foreground until SIGTERM; migrations under way continue.")
  static final class Run implements Callable<Integer> {
    @Option(
        names = "--listen",
        description = "TCP address ADDR:PORT for agents and people (e.g. 198.18.0.2:7800).")
    String listen;

    @Option(
        names = "--socket",
        description = "Unix socket for local tools (default: /run/ferry/manager.sock).")
    Path socket;

    @Option(
        names = "--db",
        defaultValue = ManagerConfig.DEFAULT_DATABASE,
        description =
            "Inventory: sqlite:/PATH or jdbc:postgresql://HOST:PORT/DB?user=U&password=P"
                + " (default: ${DEFAULT-VALUE}).")
    String database;

    @Option(
        names = "--advertise",
        description = "URL agents reach the manager at (default: http://<--listen>).")
    String advertise;

    @Option(
        names = "--heartbeat",
        defaultValue = "2s",
        description = "How often agents are asked for facts and load (default: ${DEFAULT-VALUE}).")
    String heartbeat;

    @Option(
        names = "--balance-interval",
        defaultValue = "60s",
        description =
            "How often the balancer runs a pass in automatic mode (default: ${DEFAULT-VALUE}).")
    String balanceInterval;

    @Option(
        names = "--security-dir",
        description =
            "Where the tokens, the first admin token and the audit log live (default: beside a"
                + " SQLite inventory, else /var/lib/ferry/manager).")
    Path securityDir;

    @Option(
        names = "--tokens",
        description =
            "The tokens callers over TCP may present (default: SECURITY-DIR/tokens.json).")
    Path tokens;

    @Option(
        names = "--token-file",
        description = "The token the manager presents to agents (the cluster's).")
    Path tokenFile;

    @Override
    public Integer call() throws Exception {
      Logging.infoUnlessConfigured();
      Optional<InetSocketAddress> tcp = Optional.ofNullable(listen).map(Addresses::parse);
      Optional<Path> uds =
          Optional.ofNullable(socket).or(() -> Optional.of(Path.of("/run/ferry/manager.sock")));
      ManagerConfig config =
          new ManagerConfig(
              tcp,
              uds,
              database,
              Optional.ofNullable(advertise),
              duration("--heartbeat", heartbeat),
              duration("--balance-interval", balanceInterval));
      CountDownLatch stopped = new CountDownLatch(1);
      Manager manager =
          Manager.start(
              config,
              ServerSecurity.in(securityDir != null ? securityDir : config.securityDir())
                  .with(Optional.ofNullable(tokens), Optional.ofNullable(tokenFile)));
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    manager.close();
                    stopped.countDown();
                  },
                  "manager-shutdown"));
      stopped.await();
      return 0;
    }

    private static Duration duration(String option, String text) {
      try {
        return Duration.parse("PT" + text.strip().toUpperCase(java.util.Locale.ROOT));
      } catch (java.time.format.DateTimeParseException e) {
        throw new IllegalArgumentException(
            option + " '" + text + "' is not a duration such as 2s, 0.5s or 1m");
      }
    }
  }
}
