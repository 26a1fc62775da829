package dev.ferry.cli;

import dev.ferry.api.AgentClient;
import dev.ferry.api.AgentEndpoint;
import dev.ferry.api.HostDirectory;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * How a command finds its agent: {@code --agent URL} (or {@code FERRY_AGENT}), or {@code --host
 * NAME} of a running local testbed, whose agents are reached through their unix sockets as its
 * {@link HostDirectory} lists them.
 */
final class AgentOptions {
  static final String DEFAULT_AGENT = "unix:/run/ferry/agent.sock";

  @Option(
      names = {"-a", "--agent"},
      description =
          "Agent address: http://HOST:PORT or unix:/PATH (default: $FERRY_AGENT, else "
              + DEFAULT_AGENT
              + ").")
  String agent;

  @Option(
      names = {"-H", "--host"},
      description = "A host of the local testbed (e.g. host-a), instead of --agent.")
  String host;

  @Option(
      names = "--testbed",
      defaultValue = "ferry",
      description = "Testbed whose hosts --host names (default: ${DEFAULT-VALUE}).")
  String testbed;

  @Option(names = "--json", description = "Print JSON for scripts instead of text.")
  boolean json;

  AgentEndpoint endpoint() {
    if (host != null) {
      if (agent != null) {
        throw new IllegalArgumentException("give either --agent or --host, not both");
      }
      return directory()
          .host(host)
          .map(h -> (AgentEndpoint) new AgentEndpoint.Unix(java.nio.file.Path.of(h.agentSocket())))
          .orElseThrow(
              () ->
                  new IllegalArgumentException(
                      "testbed '" + testbed + "' has no host named '" + host + "'"));
    }
    String text =
        Optional.ofNullable(agent)
            .or(() -> Optional.ofNullable(System.getenv("FERRY_AGENT")))
            .orElse(DEFAULT_AGENT);
    return AgentEndpoint.parse(text);
  }

  /** The hosts of the testbed {@code --testbed} names. */
  HostDirectory directory() {
    return HostDirectory.read(HostDirectory.DEFAULT_ROOT, testbed);
  }

  AgentClient client() {
    return new AgentClient(endpoint());
  }
}
