package dev.ferry.lab.testbed;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Runs {@link Testbed#up} in a JVM of its own, as {@code ferry-lab testbed up} would, then exits;
 * with "crash" it halts the JVM half-way instead, while waiting for host-a's agent.
 *
 * <p>Arguments: name, subnet index, state root, data root, "exit" or "crash".
 */
public final class UpInAnotherJvm {
  private UpInAnotherJvm() {}

  public static void main(String[] args) {
    boolean crash = args[4].equals("crash");
    AgentLauncher agents =
        new SleepingAgents() {
          @Override
          public void awaitReady(HostPlan host, Duration timeout) {
            super.awaitReady(host, timeout);
            if (crash) {
              Runtime.getRuntime().halt(137);
            }
          }
        };
    Testbed.up(
        TestbedSpec.named(args[0])
            .withSubnetIndex(Integer.parseInt(args[1]))
            .withStateRoot(Path.of(args[2]))
            .withDataRoot(Path.of(args[3]))
            .withAgentLauncher(agents));
    System.exit(0);
  }
}
