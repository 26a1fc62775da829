package dev.ferry.cli;

import dev.ferry.api.AgentClient;
import dev.ferry.api.AgentEndpoint;
import dev.ferry.api.AgentUnreachableException;
import dev.ferry.api.ApiException;
import dev.ferry.testbed.AgentLauncher;
import dev.ferry.testbed.AgentNotReadyException;
import dev.ferry.testbed.HostPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Starts a real Ferry agent per testbed host, with the same Java and class path as this process:
 * TCP on the host's address for peers, a unix socket for tools in the root namespace, shared and
 * local storage roots, and the test guest (if built) as KVM probe.
 */
public final class TestbedAgents implements AgentLauncher {
  private static final Duration POLL = Duration.ofMillis(200);

  private final String accel;
  private final Optional<Path> guestDir;
  private final List<String> extraStorageRoots;

  /**
   * @param accel accelerator setting for every agent
   * @param guestDir the test guest image directory (vmlinuz + initrd), offered as KVM probe and as
   *     a storage root so VMs can boot from it
   */
  public TestbedAgents(String accel, Optional<Path> guestDir) {
    this.accel = accel;
    this.guestDir = guestDir;
    this.extraStorageRoots = guestDir.map(p -> List.of(p.toString())).orElse(List.of());
  }

  @Override
  public List<String> command(HostPlan host) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-Xms32m");
    cmd.add("-Xmx256m");
    // Two cores: leave room for virtual threads blocked on pipes (ip, qemu-img).
    cmd.add("-Djdk.virtualThreadScheduler.parallelism=4");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Ferry.class.getName());
    cmd.addAll(
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
            accel));
    for (String root : extraStorageRoots) {
      cmd.add("--storage-root");
      cmd.add(root);
    }
    guestDir.ifPresent(
        g -> {
          cmd.addAll(List.of("--probe-kernel", g.resolve("vmlinuz").toString()));
          cmd.addAll(List.of("--probe-initrd", g.resolve("initrd.img").toString()));
        });
    return cmd;
  }

  @Override
  public void awaitReady(HostPlan host, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    String last = "socket " + host.agentSocket() + " not there yet";
    while (Instant.now().isBefore(deadline)) {
      if (Files.exists(host.agentSocket())) {
        try (AgentClient client =
            new AgentClient(new AgentEndpoint.Unix(host.agentSocket()), Duration.ofSeconds(5))) {
          client.host();
          return;
        } catch (AgentUnreachableException | ApiException e) {
          last = e.getMessage();
        }
      }
      try {
        Thread.sleep(POLL);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AgentNotReadyException(host.name(), "interrupted");
      }
    }
    throw new AgentNotReadyException(
        host.name(), "no answer within " + timeout.toSeconds() + " s: " + last);
  }
}
