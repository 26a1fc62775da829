package dev.ferry.lab.testbed;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import dev.ferry.api.AgentClient;
import dev.ferry.api.AgentEndpoint;
import dev.ferry.api.AgentUnreachableException;
import dev.ferry.api.ApiException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Starts a real Ferry agent per testbed host ({@code ferry agent run}, found by {@link
 * FerryCommand}): TCP on the host's address for peers, a unix socket for tools in the root
 * namespace, shared and local storage roots, and the test guest (if built) as KVM probe.
 */
public final class TestbedAgents implements AgentLauncher {
  /** Between readiness checks; an agent that is not up yet publishes nothing to wait on. */
  private static final Duration RETRY = Duration.ofMillis(200);

  private static final List<String> JVM_OPTIONS =
      List.of(
          "-XX:+UseSerialGC",
          "-Xms32m",
          "-Xmx256m",
          // Two cores: leave room for virtual threads blocked on pipes (ip, qemu-img).
          "-Djdk.virtualThreadScheduler.parallelism=4");

  private final String accel;
  private final Optional<Path> guestDir;
  private final FerryCommand ferry;

  /**
   * @param accel accelerator setting for every agent
   * @param guestDir the test guest image directory (vmlinuz + initrd), offered as KVM probe and as
   *     a storage root so VMs can boot from it
   */
  public TestbedAgents(String accel, Optional<Path> guestDir) {
    this(accel, guestDir, FerryCommand.locate(JVM_OPTIONS));
  }

  public TestbedAgents(String accel, Optional<Path> guestDir, FerryCommand ferry) {
    this.accel = accel;
    this.guestDir = guestDir;
    this.ferry = ferry;
  }

  @Override
  public List<String> command(HostPlan host) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "agent",
                "run",
                "--host-name",
                host.name(),
                "--listen",
                host.address() + ":" + host.agentUrl().getPort(),
                "--socket",
                host.agentSocket().toString(),
                "--state-dir",
                host.stateDir().resolve("agent").toString(),
                "--storage-root",
                host.sharedDir().toString(),
                "--storage-root",
                host.localDir().toString(),
                "--local-storage",
                host.localDir().toString(),
                "--accel",
                accel,
                "--tokens",
                ClusterTokens.store(host.stateDir().getParent()).toString(),
                "--token-file",
                ClusterTokens.token(host.stateDir().getParent()).toString()));
    guestDir.ifPresent(
        g -> {
          args.addAll(List.of("--storage-root", g.toString()));
          args.addAll(List.of("--probe-kernel", g.resolve("vmlinuz").toString()));
          args.addAll(List.of("--probe-initrd", g.resolve("initrd.img").toString()));
        });
    return ferry.with(args);
  }

  @Override
  public void awaitReady(HostPlan host, Duration timeout) {
    RetryPolicy<Object> retry =
        RetryPolicy.builder()
            .handle(AgentUnreachableException.class, ApiException.class, NotYet.class)
            .withDelay(RETRY)
            .withMaxDuration(timeout)
            .withMaxRetries(-1)
            .build();
    try {
      Failsafe.with(retry).run(() -> ask(host));
    } catch (NotYet | AgentUnreachableException | ApiException e) {
      throw new AgentNotReadyException(
          host.name(), "no answer within " + timeout.toSeconds() + " s: " + e.getMessage());
    } catch (FailsafeException e) {
      if (e.getCause() instanceof InterruptedException) {
        Thread.currentThread().interrupt();
        throw new AgentNotReadyException(host.name(), "interrupted");
      }
      throw e;
    }
  }

  private static void ask(HostPlan host) {
    if (!Files.exists(host.agentSocket())) {
      throw new NotYet("socket " + host.agentSocket() + " not there yet");
    }
    try (AgentClient client =
        new AgentClient(new AgentEndpoint.Unix(host.agentSocket()), Duration.ofSeconds(5))) {
      client.host();
    }
  }

  /** The agent has not made its socket yet. */
  private static final class NotYet extends RuntimeException {
    NotYet(String message) {
      super(message, null, false, false);
    }
  }
}
