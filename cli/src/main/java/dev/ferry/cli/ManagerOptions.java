package dev.ferry.cli;

import dev.ferry.api.AgentEndpoint;
import dev.ferry.api.ManagerClient;
import java.util.Optional;
import picocli.CommandLine.Option;

/** How a command finds the manager: {@code --manager URL} or {@code FERRY_MANAGER}. */
final class ManagerOptions {
  static final String DEFAULT_MANAGER = "unix:/run/ferry/manager.sock";

  @Option(
      names = {"-m", "--manager"},
      description =
          "Manager address: http://HOST:PORT or unix:/PATH (default: $FERRY_MANAGER, else "
              + DEFAULT_MANAGER
              + ").")
  String manager;

  @Option(names = "--json", description = "Print JSON for scripts instead of text.")
  boolean json;

  ManagerClient client() {
    String text =
        Optional.ofNullable(manager)
            .or(() -> Optional.ofNullable(System.getenv("FERRY_MANAGER")))
            .orElse(DEFAULT_MANAGER);
    return new ManagerClient(AgentEndpoint.parse(text));
  }
}
