package dev.ferry.lab.testbed;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

/** A stand-in agent: {@code sleep 600}; ready once it runs inside the host's namespace. */
class SleepingAgents implements AgentLauncher {

  @Override
  public List<String> command(HostPlan host) {
    return List.of("sleep", "600");
  }

  @Override
  public void awaitReady(HostPlan host, Duration timeout) {
    await("sleep in " + host.namespace())
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> !Netns.pids(host.namespace()).isEmpty());
  }
}
