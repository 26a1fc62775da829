package dev.ferry.lab.testbed;

import java.time.Duration;
import java.util.List;

/**
 * How {@link Testbed#up(TestbedSpec)} starts and waits for one agent per host.
 *
 * <p>The testbed runs {@link #command} inside the host's namespace, in a session of its own,
 * detached from the calling JVM, with stdout and stderr appended to {@link HostPlan#logFile()}.
 * Then it calls {@link #awaitReady} for each host in turn, from the calling thread, in the root
 * network namespace: reach the agent through {@link HostPlan#agentSocket()}, since nothing in the
 * root namespace has a route to the testbed's addresses.
 */
public interface AgentLauncher {

  /** The agent's command line for {@code host}, without any namespace or session wrapper. */
  List<String> command(HostPlan host);

  /**
   * Returns once the agent of {@code host} serves requests.
   *
   * @throws AgentNotReadyException if it does not within {@code timeout}; the testbed then tears
   *     itself down and reports the host, the cause and the end of the agent's log
   */
  void awaitReady(HostPlan host, Duration timeout);
}
