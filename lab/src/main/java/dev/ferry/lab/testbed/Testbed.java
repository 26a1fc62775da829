package dev.ferry.lab.testbed;

import dev.ferry.common.DataRate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * N "hosts" on one machine, made of Linux network namespaces: what the tests, the demo and the
 * benchmarks run agents, VMs and migrations on.
 *
 * <p>{@link #up(TestbedSpec)} builds one, {@link #load(String)} finds a running one again (from any
 * process), {@link #down(String)} removes one whatever state it is in. The object itself is an
 * immutable description of a built testbed plus helpers to run commands in its namespaces and to
 * impair its links; it is safe to share between threads. The testbed outlives the object and the
 * JVM: only {@code down} removes it.
 *
 * <p>Every method that changes the system needs root and a working {@code ip netns}.
 */
public final class Testbed {
  /**
   * The name of each host's link to the fabric inside the host's namespace: its counters are what
   * the host sent to and received from the other hosts.
   */
  public static final String HOST_UPLINK = Layout.HOST_UPLINK;

  /** A token bucket must hold at least a few full frames, and a timer tick's worth of bytes. */
  private static final long MIN_TBF_BURST_BYTES = 64 * 1024;

  private static final long TBF_BURSTS_PER_SECOND = 100;
  private static final Duration TBF_QUEUE_LATENCY = Duration.ofMillis(100);

  private static final Duration LINK_UP_TIMEOUT = Duration.ofSeconds(10);

  private static final Logger log = LoggerFactory.getLogger(Testbed.class);

  private volatile TestbedState state;
  private volatile List<HostInfo> hosts;

  Testbed(TestbedState state) {
    this.state = state;
    this.hosts = state.hosts().stream().map(TestbedState.Host::info).toList();
  }

  /**
   * Builds the testbed {@code spec} describes and, if it names an agent launcher, starts and awaits
   * one agent per host.
   *
   * @throws TestbedException if the testbed already exists, or a step failed; in the latter case
   *     everything built so far has been torn down, and the exception names the step and the
   *     command's stderr
   */
  public static Testbed up(TestbedSpec spec) {
    return Up.run(Objects.requireNonNull(spec, "spec"));
  }

  /** The testbed {@code name} under the default state root. */
  public static Testbed load(String name) {
    return load(name, TestbedSpec.DEFAULT_STATE_ROOT);
  }

  /**
   * The testbed {@code name} as its state file under {@code stateRoot} describes it.
   *
   * @throws TestbedException if there is no such testbed or it is not completely built
   */
  public static Testbed load(String name, Path stateRoot) {
    Layout.requireValidName(name);
    Path file = stateRoot.resolve(name).resolve(Layout.STATE_FILE);
    String step = "load testbed " + name;
    TestbedState state;
    try {
      state =
          StateStore.read(file)
              .orElseThrow(() -> new TestbedException(step, "no state file at " + file));
    } catch (IllegalStateException | UncheckedIOException e) {
      throw new TestbedException(step, e.getMessage(), e);
    }
    if (state.phase() != TestbedState.Phase.READY) {
      throw new TestbedException(
          step,
          "it is not ready (" + state.phase() + "): being built, or a build crashed; take it down");
    }
    return new Testbed(state);
  }

  /**
   * Removes the testbed {@code name} living under the default roots; see {@link #down(String, Path,
   * Path)}.
   */
  public static void down(String name) {
    down(name, TestbedSpec.DEFAULT_STATE_ROOT, TestbedSpec.DEFAULT_DATA_ROOT);
  }

  /**
   * Removes the testbed {@code name}: stops every process in its namespaces (agents, QEMU, anything
   * started with {@link #startIn}), deletes the namespaces, {@code <stateRoot>/<name>} and the data
   * dir ({@code <dataRoot>/<name>}, or the one its state file records).
   *
   * <p>Idempotent, and works on a half-built testbed or one whose state file is gone: namespaces
   * are also found by name in {@code ip netns list}. Touches only namespaces and directories named
   * after the testbed.
   *
   * @throws TestbedException if some part could not be removed (the rest still is)
   */
  public static void down(String name, Path stateRoot, Path dataRoot) {
    Down.run(name, stateRoot, dataRoot);
  }

  /** Removes this testbed; see {@link #down(String, Path, Path)}. */
  public void down() {
    down(state.name(), stateRoot(), dataRoot());
  }

  public String name() {
    return state.name();
  }

  public Instant createdAt() {
    return state.createdAt();
  }

  public int subnetIndex() {
    return state.subnetIndex();
  }

  /** {@code 198.18.<k>.0/24}. */
  public String subnet() {
    return state.subnet();
  }

  public Path stateRoot() {
    return Path.of(state.stateRoot());
  }

  public Path dataRoot() {
    return Path.of(state.dataRoot());
  }

  /** {@code <stateRoot>/<name>}: the testbed's own files ({@link ClusterTokens} among them). */
  public Path stateDir() {
    return stateRoot().resolve(name());
  }

  /** {@code <stateRoot>/<name>/testbed.json}. */
  public Path stateFile() {
    return stateRoot().resolve(name()).resolve(Layout.STATE_FILE);
  }

  /** The namespace holding the {@code fabric} bridge every host and the client hang off. */
  public String fabricNamespace() {
    return state.fabricNamespace();
  }

  /** The namespace of the client, whose {@code eth0} carries {@link #clientAddress()}. */
  public String clientNamespace() {
    return state.clientNamespace();
  }

  /** {@code 198.18.<k>.2}. */
  public String clientAddress() {
    return state.clientAddress();
  }

  /** host-a, host-b, ... in order. */
  public List<HostInfo> hosts() {
    return hosts;
  }

  /** The host called {@code name} ("host-a"). */
  public HostInfo host(String name) {
    return hosts.stream()
        .filter(h -> h.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "testbed " + name() + " has no host " + name + "; it has " + hostNames()));
  }

  /**
   * Address {@code 198.18.<k>.(100 + index)} for a guest, {@code index} 0..99; guests sit on the
   * hosts' bridges, on the same L2 network as the hosts and the client.
   */
  public String guestAddress(int index) {
    return Layout.guestAddress(subnetIndex(), index);
  }

  /** Every namespace of the testbed: fabric, hosts, client. */
  public List<String> namespaces() {
    return state.namespaces();
  }

  /**
   * Runs {@code command} inside {@code namespace} with a 30 s timeout; see {@link #exec(String,
   * Duration, List)}.
   */
  public ExecResult exec(String namespace, String... command) {
    return exec(namespace, Cmd.DEFAULT_TIMEOUT, List.of(command));
  }

  /**
   * Runs {@code command} inside {@code namespace} (one of {@link #namespaces()}) and waits for it.
   * A non-zero exit is returned, not thrown; on timeout the command is killed and {@link
   * ExecResult#timedOut()} is set.
   */
  public ExecResult exec(String namespace, Duration timeout, List<String> command) {
    requireOwn(namespace);
    return Cmd.run(timeout, Netns.exec(namespace, command));
  }

  /** Starts {@code command} inside {@code namespace}; see {@link #startIn(String, List)}. */
  public Process startIn(String namespace, String... command) {
    return startIn(namespace, List.of(command));
  }

  /**
   * Starts {@code command} inside {@code namespace} (one of {@link #namespaces()}) as a child of
   * this JVM, with stdin empty and stdout and stderr as pipes. The caller owns the process: it must
   * read (or close) its output and destroy it when done. {@link #down} kills it too if it still
   * runs.
   */
  public Process startIn(String namespace, List<String> command) {
    requireOwn(namespace);
    List<String> full = Netns.exec(namespace, command);
    log.debug("$ {} &", String.join(" ", full));
    try {
      return new ProcessBuilder(full).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start `" + String.join(" ", full) + "`", e);
    }
  }

  /**
   * Kills the agent of {@code host} with SIGKILL, as a crash would; its VMs' QEMU processes live on
   * (they are daemons of their own).
   *
   * @throws TestbedException if the host has no live agent
   */
  public void killAgent(String host) {
    HostInfo h = host(host);
    long pid =
        h.agentPid().orElseThrow(() -> new TestbedException("kill agent", host + " has no agent"));
    ProcessHandle p =
        ProcessHandle.of(pid)
            .orElseThrow(
                () -> new TestbedException("kill agent", "agent pid " + pid + " is not running"));
    p.destroyForcibly();
    try {
      p.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new TestbedException("kill agent", "agent pid " + pid + " did not die", e);
    }
    log.info("Testbed '{}': killed agent pid {} on {}", name(), pid, host);
  }

  /**
   * Starts the agent of {@code host} again (after {@link #killAgent} or a crash) with {@code
   * launcher}'s command, waits until it is ready and records its new pid.
   */
  public void startAgent(String host, AgentLauncher launcher, Duration readyTimeout) {
    HostPlan plan = host(host).plan();
    java.util.OptionalLong old = host(host).agentPid();
    if (old.isPresent()
        && ProcessHandle.of(old.getAsLong()).map(ProcessHandle::isAlive).orElse(false)) {
      throw new TestbedException(
          "start agent", host + " still has a live agent, pid " + old.getAsLong());
    }
    List<String> command = List.copyOf(launcher.command(plan));
    Process process = Up.launchAgent(plan, command);
    try {
      launcher.awaitReady(plan, readyTimeout);
    } catch (RuntimeException e) {
      process.destroyForcibly();
      throw new AgentNotReadyException(host, String.valueOf(e.getMessage()) + Up.logTail(plan), e);
    }
    TestbedState next = state.withAgent(host, process.pid(), command);
    StateStore.write(stateFile(), next);
    state = next;
    hosts = next.hosts().stream().map(TestbedState.Host::info).toList();
    log.info("Testbed '{}': restarted agent on {}: pid {}", name(), host, process.pid());
  }

  /** Cuts {@code host} off the fabric: its fabric-side veth goes down, both ways lose carrier. */
  public void cutHost(String host) {
    setFabricPort(host, "down");
    log.info("Testbed '{}': cut {} off the fabric", name(), host);
  }

  /** Reconnects {@code host} after {@link #cutHost}; returns once its link forwards again. */
  public void restoreHost(String host) {
    setFabricPort(host, "up");
    String port = Layout.fabricPort(host(host).name());
    Netns.awaitLinksUp(
        "wait for " + host + " to come back",
        Map.<String, Predicate<String>>of(
            fabricNamespace(), port::equals, host(host).namespace(), Layout.HOST_UPLINK::equals),
        LINK_UP_TIMEOUT);
    log.info("Testbed '{}': reconnected {} to the fabric", name(), host);
  }

  /**
   * Impairs {@code host}'s link with {@code tc netem}: each direction (fabric to host, host to
   * fabric) gets {@code delay} and {@code lossPercent} % loss, so a round trip through it gains
   * twice the delay. Replaces any earlier impairment of that link.
   *
   * @throws TestbedException if the kernel has no netem qdisc ({@code CONFIG_NET_SCH_NETEM})
   */
  public void netem(String host, Duration delay, double lossPercent) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative: " + delay);
    }
    if (lossPercent < 0 || lossPercent > 100) {
      throw new IllegalArgumentException("loss must be 0..100 %: " + lossPercent);
    }
    String delayArg = (delay.toNanos() / 1000) + "us";
    String lossArg = String.format(Locale.ROOT, "%.4f%%", lossPercent);
    impair(host, "netem", List.of("netem", "delay", delayArg, "loss", lossArg));
    log.info(
        "Testbed '{}': {} link delays {} ms and loses {} % each way",
        name(), host, delay.toMillis(), lossPercent);
  }

  /**
   * Caps {@code host}'s link at {@code rate} in each direction with a token bucket ({@code tc
   * tbf}): what a slower network between hosts looks like to a migration. Replaces any earlier
   * impairment of that link.
   */
  public void limitRate(String host, DataRate rate) {
    if (rate.bytesPerSecond() <= 0) {
      throw new IllegalArgumentException("rate must be positive: " + rate);
    }
    long bits = rate.bytesPerSecond() * Byte.SIZE;
    long burst = Math.max(MIN_TBF_BURST_BYTES, rate.bytesPerSecond() / TBF_BURSTS_PER_SECOND);
    impair(
        host,
        "tbf",
        List.of(
            "tbf",
            "rate",
            bits + "bit",
            "burst",
            Long.toString(burst),
            "latency",
            TBF_QUEUE_LATENCY.toMillis() + "ms"));
    log.info("Testbed '{}': {} link limited to {} each way", name(), host, rate);
  }

  /** Removes any {@link #netem} or {@link #limitRate} impairment of {@code host}'s link. */
  public void clearImpairment(String host) {
    for (LinkEnd end : linkEnds(host)) {
      ExecResult r =
          Cmd.run(
              Cmd.DEFAULT_TIMEOUT,
              Netns.tc(end.namespace, "qdisc", "del", "dev", end.device, "root"));
      // Deleting the default root qdisc fails harmlessly when none was added.
      boolean nothingToDelete =
          r.stderr().contains("handle of zero") || r.stderr().contains("No such file");
      if (!r.ok() && !nothingToDelete) {
        throw new CommandFailedException(
            "clear impairment of " + end.device + " in " + end.namespace, r);
      }
    }
    log.info("Testbed '{}': {} link no longer impaired", name(), host);
  }

  private void impair(String host, String qdisc, List<String> qdiscArgs) {
    for (LinkEnd end : linkEnds(host)) {
      String step = "impair " + end.device + " in " + end.namespace;
      List<String> command =
          new ArrayList<>(List.of("qdisc", "replace", "dev", end.device, "root"));
      command.addAll(qdiscArgs);
      ExecResult r =
          Cmd.run(Cmd.DEFAULT_TIMEOUT, Netns.tc(end.namespace, command.toArray(String[]::new)));
      if (!r.ok() && r.stderr().contains("qdisc kind is unknown")) {
        throw new TestbedException(
            step,
            "this kernel has no '"
                + qdisc
                + "' queueing discipline (CONFIG_NET_SCH_"
                + qdisc.toUpperCase(Locale.ROOT)
                + "), so it cannot be used to impair links here");
      }
      r.orThrow(step);
    }
  }

  /** A human summary: what was built, where, and how to reach it. */
  public String describe() {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            "Testbed '%s' on %s (created %s; no route out of it)%n",
            name(), subnet(), createdAt()));
    b.append(
        String.format(
            "  %-7s %-22s bridge %s%n", "fabric", fabricNamespace(), state.fabricBridge()));
    b.append(
        String.format(
            "  %-7s %-22s %s %s/%d%n",
            "client",
            clientNamespace(),
            state.clientInterface(),
            clientAddress(),
            Layout.PREFIX_LENGTH));
    for (HostInfo h : hosts) {
      HostPlan p = h.plan();
      b.append(
          String.format(
              "  %-7s %-22s %s %s  agent %s (%s)%s%n",
              p.name(),
              p.namespace(),
              p.bridge(),
              p.cidr(),
              p.agentUrl(),
              p.agentSocket(),
              h.agentPid().isPresent()
                  ? " pid " + h.agentPid().getAsLong() + ", log " + p.logFile()
                  : ""));
    }
    if (!hosts.isEmpty()) {
      b.append(String.format("  shared storage %s%n", hosts.getFirst().plan().sharedDir()));
    }
    b.append(String.format("  state %s", stateFile()));
    return b.toString();
  }

  @Override
  public String toString() {
    return "Testbed[" + name() + " " + subnet() + " " + hostNames() + "]";
  }

  private List<String> hostNames() {
    return hosts.stream().map(HostInfo::name).toList();
  }

  private void requireOwn(String namespace) {
    if (!state.namespaces().contains(namespace)) {
      throw new IllegalArgumentException(
          namespace + " is not a namespace of testbed " + name() + ": " + state.namespaces());
    }
  }

  private void setFabricPort(String host, String upOrDown) {
    String port = Layout.fabricPort(host(host).name());
    Cmd.check(
        "set " + port + " " + upOrDown + " in " + fabricNamespace(),
        Netns.ip(fabricNamespace(), "link", "set", port, upOrDown));
  }

  private record LinkEnd(String namespace, String device) {}

  private List<LinkEnd> linkEnds(String host) {
    HostInfo h = host(host);
    return List.of(
        new LinkEnd(fabricNamespace(), Layout.fabricPort(h.name())),
        new LinkEnd(h.namespace(), Layout.HOST_UPLINK));
  }
}
