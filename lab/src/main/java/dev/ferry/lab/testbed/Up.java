package dev.ferry.lab.testbed;

import dev.ferry.api.HostDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a testbed (the topology is drawn in the package docs), step by step, recording its plan in
 * the state file before the first step; on any failure it tears down what it built and rethrows,
 * naming the step.
 *
 * <p>Veth pairs are created with each end directly in its namespace, so nothing ever appears in the
 * root namespace, not even for a moment, and no temporary names are needed. No namespace gets a
 * default route, and {@link #verifyIsolation} checks that before anything runs there.
 *
 * <p>Single use, on the calling thread.
 */
final class Up {
  private static final int LOG_TAIL_LINES = 20;
  private static final Duration LINKS_UP_TIMEOUT = Duration.ofSeconds(10);

  /** After a failed readiness check, how long a dying agent gets to finish writing its log. */
  private static final Duration AGENT_EXIT_GRACE = Duration.ofSeconds(1);

  private static final Logger log = LoggerFactory.getLogger(Up.class);

  private final TestbedSpec spec;
  private final Map<String, Process> agents = new LinkedHashMap<>();
  private TestbedState state;

  private Up(TestbedSpec spec) {
    this.spec = spec;
  }

  static Testbed run(TestbedSpec spec) {
    return new Up(spec).build();
  }

  private Testbed build() {
    refuseIfPresent(Netns.list());
    claimStateDir();
    try {
      state = TestbedState.planned(spec, Instant.now());
      save();
      log.info(
          "Testbed '{}': building {} host(s) on {} (state {})",
          spec.name(),
          spec.hosts(),
          spec.subnet(),
          spec.stateFile());
      createNamespaces();
      buildFabric();
      spec.hostPlans().forEach(this::buildHost);
      buildClient();
      Netns.awaitLinksUp("wait for links to come up", state.namespaces(), LINKS_UP_TIMEOUT);
      verifyIsolation();
      makeDirectories();
      ClusterTokens.create(spec.stateDir());
      if (spec.agentLauncher() != null) {
        spec.hostPlans().forEach(this::startAgent);
        spec.hostPlans().forEach(this::awaitAgent);
      }
      state = state.withPhase(TestbedState.Phase.READY);
      save();
      publishDirectory();
    } catch (RuntimeException e) {
      throw tearDownAfter(e);
    }
    Testbed testbed = new Testbed(state);
    log.info("{}", testbed.describe());
    return testbed;
  }

  private void refuseIfPresent(List<String> namespaces) {
    List<String> found = new ArrayList<>();
    namespaces.stream().filter(ns -> Layout.belongsTo(spec.name(), ns)).forEach(found::add);
    if (Files.exists(spec.stateDir())) {
      found.add(spec.stateDir().toString());
    }
    if (!found.isEmpty()) {
      throw new TestbedException(
          "check for an existing testbed",
          "testbed '"
              + spec.name()
              + "' already exists ("
              + String.join(", ", found)
              + "); take it down first");
    }
  }

  /** Creating the state dir is the claim on the name: a second up() of it fails here. */
  private void claimStateDir() {
    try {
      Files.createDirectories(spec.stateRoot());
      Files.createDirectory(spec.stateDir());
    } catch (FileAlreadyExistsException e) {
      throw new TestbedException(
          "claim state dir", "testbed '" + spec.name() + "' is being built by someone else", e);
    } catch (IOException e) {
      throw new TestbedException("claim state dir", "cannot create " + spec.stateDir(), e);
    }
  }

  private void createNamespaces() {
    for (String ns : state.namespaces()) {
      Netns.add(ns);
      step("bring up loopback in " + ns, Netns.ip(ns, "link", "set", "lo", "up"));
    }
  }

  private void buildFabric() {
    String fabric = spec.fabricNamespace();
    step(
        "create bridge " + Layout.FABRIC_BRIDGE + " in " + fabric,
        Netns.ip(fabric, "link", "add", Layout.FABRIC_BRIDGE, "type", "bridge"));
    step(
        "bring up bridge " + Layout.FABRIC_BRIDGE + " in " + fabric,
        Netns.ip(fabric, "link", "set", Layout.FABRIC_BRIDGE, "up"));
  }

  private void buildHost(HostPlan host) {
    String ns = host.namespace();
    step(
        "create bridge " + host.bridge() + " in " + ns,
        Netns.ip(
            ns,
            "link",
            "add",
            host.bridge(),
            "address",
            Layout.hostBridgeMac(spec.subnetIndex(), host.index()),
            "type",
            "bridge"));
    String port = Layout.fabricPort(host.name());
    connectToFabric(ns, Layout.HOST_UPLINK, port);
    step(
        "attach " + Layout.HOST_UPLINK + " to " + host.bridge() + " in " + ns,
        Netns.ip(ns, "link", "set", Layout.HOST_UPLINK, "master", host.bridge(), "up"));
    step(
        "address " + host.bridge() + " in " + ns,
        Netns.ip(ns, "addr", "add", host.cidr(), "dev", host.bridge()));
    step(
        "bring up " + host.bridge() + " in " + ns,
        Netns.ip(ns, "link", "set", host.bridge(), "up"));
  }

  private void buildClient() {
    String ns = spec.clientNamespace();
    connectToFabric(ns, Layout.CLIENT_INTERFACE, Layout.CLIENT_FABRIC_PORT);
    step(
        "address " + Layout.CLIENT_INTERFACE + " in " + ns,
        Netns.ip(
            ns,
            "addr",
            "add",
            spec.clientAddress() + "/" + Layout.PREFIX_LENGTH,
            "dev",
            Layout.CLIENT_INTERFACE));
    step(
        "bring up " + Layout.CLIENT_INTERFACE + " in " + ns,
        Netns.ip(ns, "link", "set", Layout.CLIENT_INTERFACE, "up"));
  }

  /**
   * A veth pair: {@code inner} in {@code ns}, {@code port} in the fabric, enslaved to its bridge.
   */
  private void connectToFabric(String ns, String inner, String port) {
    String fabric = spec.fabricNamespace();
    step(
        "create veth " + inner + "@" + ns + " <-> " + port + "@" + fabric,
        List.of(
            "ip", "link", "add", inner, "netns", ns, "type", "veth", "peer", "name", port, "netns",
            fabric));
    step(
        "attach " + port + " to " + Layout.FABRIC_BRIDGE + " in " + fabric,
        Netns.ip(fabric, "link", "set", port, "master", Layout.FABRIC_BRIDGE, "up"));
  }

  /** The testbed must be a closed world: only the connected testbed subnet, no way out. */
  private void verifyIsolation() {
    String subnet = spec.subnet();
    for (String ns : state.namespaces()) {
      String defaults =
          step("check routes of " + ns, Netns.ip(ns, "route", "show", "default")).stdout();
      List<String> foreign =
          step("check routes of " + ns, Netns.ip(ns, "-4", "route", "show", "table", "all"))
              .stdout()
              .lines()
              .map(String::strip)
              .filter(r -> !r.isEmpty())
              .filter(r -> !r.startsWith(subnet + " ") && !isLocalRoute(r))
              .toList();
      if (!defaults.isBlank() || !foreign.isEmpty()) {
        throw new TestbedException(
            "check routes of " + ns,
            "unexpected routes: " + (defaults.strip() + " " + foreign).strip());
      }
    }
  }

  /** The kernel's own table-local routes for the namespace's addresses and loopback. */
  private boolean isLocalRoute(String route) {
    return route.startsWith("local ") || route.startsWith("broadcast ");
  }

  private void makeDirectories() {
    for (HostPlan host : spec.hostPlans()) {
      for (Path dir : List.of(host.stateDir(), host.sharedDir(), host.localDir())) {
        try {
          Files.createDirectories(dir);
        } catch (IOException e) {
          throw new TestbedException(
              "create directories of " + host.name(), "cannot create " + dir, e);
        }
      }
    }
  }

  private void startAgent(HostPlan host) {
    List<String> command = List.copyOf(spec.agentLauncher().command(host));
    Process process = launchAgent(host, command);
    agents.put(host.name(), process);
    state = state.withAgent(host.name(), process.pid(), command);
    save();
    log.info(
        "Testbed '{}': started agent on {} in {}: pid {}, log {}",
        spec.name(),
        host.name(),
        host.namespace(),
        process.pid(),
        host.logFile());
  }

  /** Starts an agent in its host's namespace, detached, appending to the host's log. */
  static Process launchAgent(HostPlan host, List<String> command) {
    String step = "start agent on " + host.name();
    if (command.isEmpty()) {
      throw new TestbedException(step, "the agent launcher gave an empty command");
    }
    List<String> setsid = new ArrayList<>();
    setsid.add("setsid");
    setsid.addAll(command);
    // setsid: a session of its own, so that the agent outlives this JVM and its terminal.
    // It does not fork here (a child of the JVM is no process-group leader): the pid is the
    // agent's.
    List<String> full = Netns.exec(host.namespace(), setsid);
    try {
      return new ProcessBuilder(full)
          .redirectInput(Cmd.NO_INPUT)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(host.logFile().toFile()))
          .redirectErrorStream(true)
          .start();
    } catch (IOException e) {
      throw new TestbedException(step, "cannot start `" + String.join(" ", full) + "`", e);
    }
  }

  private void awaitAgent(HostPlan host) {
    Process process = agents.get(host.name());
    if (!process.isAlive()) {
      throw new AgentNotReadyException(
          host.name(), "the agent exited with status " + process.exitValue() + logTail(host));
    }
    try {
      spec.agentLauncher().awaitReady(host, spec.agentReadyTimeout());
    } catch (RuntimeException e) {
      awaitQuietly(process, AGENT_EXIT_GRACE);
      String detail = e instanceof TestbedException t ? t.detail() : String.valueOf(e.getMessage());
      String exit =
          process.isAlive() ? "" : " (the agent exited with status " + process.exitValue() + ")";
      throw new AgentNotReadyException(host.name(), detail + exit + logTail(host), e);
    }
    log.info("Testbed '{}': agent on {} is ready", spec.name(), host.name());
  }

  private static void awaitQuietly(Process process, Duration grace) {
    try {
      process.waitFor(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static String logTail(HostPlan host) {
    try {
      List<String> lines = Files.readAllLines(host.logFile(), StandardCharsets.UTF_8);
      List<String> tail = lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size());
      return tail.isEmpty()
          ? "; its log " + host.logFile() + " is empty"
          : "; last lines of " + host.logFile() + ":\n  " + String.join("\n  ", tail);
    } catch (IOException | UncheckedIOException e) {
      return "; its log " + host.logFile() + " is unreadable: " + e.getMessage();
    }
  }

  private ExecResult step(String step, List<String> command) {
    return Cmd.check(step, command);
  }

  /** Lists the hosts by name for the {@code ferry} command's {@code -H NAME}. */
  private void publishDirectory() {
    new HostDirectory(
            HostDirectory.VERSION,
            spec.name(),
            spec.hostPlans().stream()
                .map(
                    h ->
                        new HostDirectory.Entry(
                            h.name(), h.agentUrl().toString(), h.agentSocket().toString()))
                .toList())
        .write(spec.stateRoot());
  }

  private void save() {
    StateStore.write(spec.stateFile(), state);
  }

  private RuntimeException tearDownAfter(RuntimeException failure) {
    log.error(
        "Testbed '{}': up failed, tearing down what was built: {}",
        spec.name(),
        failure.getMessage());
    TestbedException reported =
        failure instanceof TestbedException t
            ? t
            : new TestbedException(
                "build testbed " + spec.name(), String.valueOf(failure.getMessage()), failure);
    try {
      Down.run(spec.name(), spec.stateRoot(), spec.dataRoot());
    } catch (RuntimeException cleanup) {
      reported.addSuppressed(cleanup);
    }
    return reported;
  }
}
