package dev.ferry.cli;

import dev.ferry.agent.Agent;
import dev.ferry.agent.AgentConfig;
import dev.ferry.api.auth.ServerSecurity;
import dev.ferry.qemu.AcceleratorChoice;
import dev.ferry.qemu.ProbeGuest;
import dev.ferry.qemu.QemuBinary;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ferry agent run}: the host agent daemon, in the foreground. */
@Command(
    name = "agent",
    description = "Run the host agent.",
    subcommands = {AgentCommand.Run.class})
final class AgentCommand {

  @Command(
      name = "run",
      description = "Run the agent in the foreground until SIGTERM; VMs keep running after it.")
  static final class Run implements Callable<Integer> {
    @Option(names = "--host-name", description = "Name of this host (default: kernel host name).")
    String hostName;

    @Option(
        names = "--listen",
        description = "TCP address ADDR:PORT for peers (e.g. 198.18.0.11:7700).")
    String listen;

    @Option(
        names = "--socket",
        description = "Unix socket for local tools (default: /run/ferry/agent.sock).")
    Path socket;

    @Option(
        names = "--state-dir",
        defaultValue = "/var/lib/ferry/agent",
        description = "VM records and runtime files (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(
        names = "--storage-root",
        description =
            "A directory VM images may live in; repeat for more (default: /var/lib/ferry/images).")
    List<Path> storageRoots = new ArrayList<>();

    @Option(
        names = "--accel",
        defaultValue = "auto",
        description = "Accelerator: auto, kvm or tcg (default: ${DEFAULT-VALUE}).")
    String accel;

    @Option(names = "--qemu", description = "QEMU binary (default: /usr/bin/qemu-system-x86_64).")
    Path qemu;

    @Option(
        names = "--local-storage",
        description =
            "Where disks copied to this host land; inside a storage root (default: the first root).")
    Path localStorage;

    @Option(names = "--probe-kernel", description = "Kernel of the guest that proves KVM works.")
    Path probeKernel;

    @Option(names = "--probe-initrd", description = "Initramfs of the guest that proves KVM works.")
    Path probeInitrd;

    @Option(
        names = "--tokens",
        description =
            "The tokens callers over TCP may present (default: STATE-DIR/tokens.json, created with"
                + " an admin token in STATE-DIR/admin.token).")
    Path tokens;

    @Option(
        names = "--token-file",
        description = "The token this agent presents to peers and the manager (the cluster's).")
    Path tokenFile;

    @Override
    public Integer call() throws Exception {
      Logging.infoUnlessConfigured();
      Optional<InetSocketAddress> tcp = Optional.ofNullable(listen).map(Addresses::parse);
      Optional<Path> uds =
          Optional.ofNullable(socket)
              .or(
                  () ->
                      tcp.isEmpty()
                          ? Optional.of(Path.of("/run/ferry/agent.sock"))
                          : Optional.empty());
      List<Path> roots =
          storageRoots.isEmpty() ? List.of(Path.of("/var/lib/ferry/images")) : storageRoots;
      Optional<ProbeGuest> probe =
          probeKernel != null && probeInitrd != null
              ? Optional.of(new ProbeGuest(probeKernel, probeInitrd))
              : Optional.empty();
      AgentConfig config =
          new AgentConfig(
              hostName != null ? hostName : java.net.InetAddress.getLocalHost().getHostName(),
              tcp,
              uds,
              stateDir,
              roots,
              AcceleratorChoice.parse(accel),
              qemu != null ? qemu : QemuBinary.DEFAULT_PATH,
              probe,
              Optional.ofNullable(localStorage));
      CountDownLatch stopped = new CountDownLatch(1);
      Agent agent =
          Agent.start(
              config,
              ServerSecurity.in(stateDir)
                  .with(Optional.ofNullable(tokens), Optional.ofNullable(tokenFile)));
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    agent.close();
                    stopped.countDown();
                  },
                  "agent-shutdown"));
      stopped.await();
      return 0;
    }
  }
}
