package dev.ferry.agent;

import dev.ferry.agent.cluster.ManagerLink;
import dev.ferry.agent.diskmove.DiskMover;
import dev.ferry.agent.events.EventBus;
import dev.ferry.agent.fence.FencedVms;
import dev.ferry.agent.fence.LeaseFence;
import dev.ferry.agent.host.HostFactsProbe;
import dev.ferry.agent.host.HostLoadProbe;
import dev.ferry.agent.http.ApiServer;
import dev.ferry.agent.migration.incoming.DestinationVms;
import dev.ferry.agent.migration.incoming.IncomingMigrations;
import dev.ferry.agent.migration.outgoing.EngineTimings;
import dev.ferry.agent.migration.outgoing.OutgoingMigrations;
import dev.ferry.agent.migration.outgoing.SourceVms;
import dev.ferry.agent.network.TapDevices;
import dev.ferry.agent.storage.StorageRoots;
import dev.ferry.agent.vm.VmContext;
import dev.ferry.agent.vm.VmService;
import dev.ferry.agent.vm.VmSpecFactory;
import dev.ferry.agent.vm.VmStore;
import dev.ferry.api.AgentEvent;
import dev.ferry.api.HostFacts;
import dev.ferry.api.auth.CallerToken;
import dev.ferry.api.auth.ServerSecurity;
import dev.ferry.qemu.AcceleratorCache;
import dev.ferry.qemu.AcceleratorDecision;
import dev.ferry.qemu.AcceleratorProbe;
import dev.ferry.qemu.QemuBinary;
import dev.ferry.qemu.QemuCapabilities;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A host agent: owns the QEMU processes of its host and serves the {@code /v1} API. Starting it
 * re-adopts VMs whose QEMU survived a previous agent; closing it leaves them running.
 */
public final class Agent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Agent.class);
  public static final String VERSION = versionOf(Agent.class);

  private final AgentConfig config;
  private final VmService vms;
  private final ApiServer api;
  private final HostFacts.Cpu cpu;
  private final QemuBinary qemu;
  private final AcceleratorDecision accelerator;
  private final List<String> migrationCapabilities;
  private final StorageRoots storage;
  private final TapDevices taps;
  private final java.util.concurrent.ScheduledExecutorService scheduler;
  private final IncomingMigrations incoming;
  private final OutgoingMigrations migrations;
  private final ManagerLink manager;
  private static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration STALL_TIMEOUT = Duration.ofSeconds(10);

  private Agent(AgentConfig config, ServerSecurity security) {
    this.config = config;
    log.info("Ferry agent {} starting as host '{}'", VERSION, config.hostName());
    this.qemu = QemuBinary.probe(config.qemuBinary());
    this.accelerator =
        new AcceleratorProbe(qemu, config.probeGuest())
            .decide(
                config.acceleratorChoice(),
                Optional.of(new AcceleratorCache(config.stateDir().resolve("accelerator.json"))));
    this.migrationCapabilities = QemuCapabilities.probe(qemu).migrationCapabilities();
    HostFactsProbe.CpuInfo c = HostFactsProbe.cpu();
    this.cpu = new HostFacts.Cpu(c.model(), c.vendor(), c.cores(), c.flags());
    this.storage = new StorageRoots(config.storageRoots());
    this.taps = new TapDevices();
    EventBus events = new EventBus(Clock.systemUTC());
    this.scheduler =
        java.util.concurrent.Executors.newScheduledThreadPool(
            2, Thread.ofVirtual().name("agent-timer-", 0).factory());
    this.manager = new ManagerLink(config.hostName(), config.stateDir());
    VmContext ctx =
        new VmContext(
            config.hostName(),
            qemu,
            accelerator,
            taps,
            new VmStore(config.stateDir()),
            events,
            Clock.systemUTC(),
            Duration.ofSeconds(30),
            Duration.ofSeconds(10),
            manager);
    this.vms =
        new VmService(ctx, new VmSpecFactory(qemu, storage, taps, HostFactsProbe.memoryTotal()));
    vms.recover();
    this.incoming =
        new IncomingMigrations(
            config.hostName(),
            config.listen().map(InetSocketAddress::getHostString),
            DestinationVms.of(vms),
            events,
            Clock.systemUTC(),
            () -> HostFactsProbe.memoryAvailable().minus(vms.committedMemory()),
            config.localStorage().orElse(config.storageRoots().get(0)),
            config.stateDir(),
            scheduler);
    incoming.recover();
    this.migrations =
        new OutgoingMigrations(
            config.hostName(),
            this::facts,
            SourceVms.of(vms),
            events,
            Clock.systemUTC(),
            config.stateDir(),
            scheduler,
            EngineTimings.defaults(KEEPALIVE_TIMEOUT, STALL_TIMEOUT));
    migrations.recover();
    LeaseFence fence = new LeaseFence(config.hostName(), manager, FencedVms.of(vms), events);
    fence.check().forEach(f -> log.warn("Lease fence at start: {}", f));
    scheduler.scheduleWithFixedDelay(
        () -> {
          try {
            fence.check();
          } catch (RuntimeException e) {
            log.warn("Lease fence round failed: {}", e.toString());
          }
        },
        LeaseFence.PERIOD.toMillis(),
        LeaseFence.PERIOD.toMillis(),
        java.util.concurrent.TimeUnit.MILLISECONDS);
    HostLoadProbe load =
        new HostLoadProbe(Clock.systemUTC(), vms::list, cpu.cores(), HostFactsProbe.memoryTotal());
    this.api =
        new ApiServer(
            config.listen(),
            config.socket(),
            this::facts,
            vms,
            events,
            migrations,
            incoming,
            manager,
            load::sample,
            new DiskMover(vms, storage),
            security);
    events.publish(
        AgentEvent.Type.AGENT_STARTED,
        Optional.empty(),
        Optional.empty(),
        "agent " + VERSION + " started on " + config.hostName() + " (" + accelerator + ")");
  }

  /** Builds the agent, re-adopts surviving VMs and starts serving. */
  public static Agent start(AgentConfig config) {
    return start(config, ServerSecurity.in(config.stateDir()));
  }

  /**
   * As {@link #start(AgentConfig)}, with the tokens it accepts and presents given: over TCP every
   * caller, peers and the manager included, needs a token of {@code security}.
   */
  public static Agent start(AgentConfig config, ServerSecurity security) {
    CallerToken.use(security.callerToken());
    Agent agent = new Agent(config, security);
    agent.api.start();
    log.info(
        "Agent ready: tcp={} socket={} state={} storage={}",
        config.listen().map(Object::toString).orElse("-"),
        config.socket().map(Object::toString).orElse("-"),
        config.stateDir(),
        config.storageRoots());
    return agent;
  }

  /** The TCP port the API is bound to, or -1 when it serves a unix socket only. */
  public int tcpPort() {
    return api.tcpPort();
  }

  public HostFacts facts() {
    return new HostFacts(
        config.hostName(),
        VERSION,
        HostFactsProbe.kernelRelease(),
        cpu,
        new HostFacts.Memory(
            HostFactsProbe.memoryTotal(), HostFactsProbe.memoryAvailable(), vms.committedMemory()),
        accelerator,
        new HostFacts.Qemu(
            qemu.version(),
            qemu.path(),
            qemu.resolveMachine("pc").orElse("pc"),
            migrationCapabilities),
        storage.roots(),
        taps.bridges());
  }

  /** Stops serving and lets go of QEMU processes, which keep running. */
  @Override
  public void close() {
    api.close();
    scheduler.shutdownNow();
    migrations.close();
    vms.detachAll();
    manager.close();
    log.info("Agent stopped; VMs left running");
  }

  private static String versionOf(Class<?> type) {
    String v = type.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
