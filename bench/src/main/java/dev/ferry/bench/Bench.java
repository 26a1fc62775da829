package dev.ferry.bench;

import dev.ferry.bench.ferry.FerryPeer;
import dev.ferry.bench.libvirt.LibvirtPeer;
import dev.ferry.bench.qemu.PlainQemuPeer;
import dev.ferry.bench.report.Format;
import dev.ferry.bench.report.Machine;
import dev.ferry.bench.report.Report;
import dev.ferry.common.ByteSize;
import dev.ferry.lab.testbed.Testbed;
import dev.ferry.lab.testbed.TestbedAgents;
import dev.ferry.lab.testbed.TestbedSpec;
import dev.ferry.qemu.Accelerator;
import dev.ferry.qemu.QemuBinary;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ferry-bench}: live-migrates the test guest from host-a to host-b of a testbed with Ferry
 * and its peers, in a few scenarios, several times, interleaved; prints a table per scenario and
 * writes the same as markdown with a description of the machine.
 *
 * <p>One testbed ({@value #TESTBED}) serves the whole benchmark and is always removed at the end,
 * also on Ctrl-C (a shutdown hook undoes whatever the runs left behind).
 */
@Command(
    name = "ferry-bench",
    mixinStandardHelpOptions = true,
    versionProvider = Bench.Version.class,
    description = {
      "Live-migrate the test guest between two namespace hosts with Ferry and its peers, and"
          + " compare them.",
      "Scenarios: a = idle 512 MiB; b = 1 GiB dirtying 64 MiB/s over 256 MiB;"
          + " c = 1 GiB dirtying 400 MiB/s over 512 MiB, source link capped at 100 MiB/s;"
          + " d = 512 MiB with a 2 GiB qcow2 disk holding 1 GiB on host-a's local storage,"
          + " its writer set to 5 MiB/s (storage migration; not in the default set)."
    })
public final class Bench implements Callable<Integer> {
  static final String TESTBED = "bench";

  /** Every peer, in default table order. */
  static final List<String> PEER_NAMES =
      List.of(FerryPeer.NAME, PlainQemuPeer.NAME, LibvirtPeer.NAME, FerryPeer.POSTCOPY_NAME);

  /**
   * The virtual-thread scheduler's carriers; see {@link #main}. Readers of child processes' pipes
   * (the outage probe's two) pin one each for a whole run.
   */
  private static final String VT_PARALLELISM = "jdk.virtualThreadScheduler.parallelism";

  private static final int MIN_CARRIERS = 4;

  @Option(
      names = "--runs",
      defaultValue = "5",
      description = "Runs per scenario and peer (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(
      names = "--scenarios",
      defaultValue = "a,b,c",
      description = "Comma-separated scenarios (a, b, c, d), or all (default: ${DEFAULT-VALUE}).")
  String scenarios;

  @Option(
      names = "--peers",
      defaultValue = "ferry,qemu,libvirt",
      description = "Comma-separated peers, or all (default: ${DEFAULT-VALUE}).")
  String peers;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "Also write the report as markdown to FILE (rewritten after every run).")
  Path out;

  @Option(
      names = "--give-up-after",
      defaultValue = "90",
      paramLabel = "SECONDS",
      description =
          "A migration still running after this long counts as not converging and is cancelled"
              + " (default: ${DEFAULT-VALUE}).")
  long giveUpAfterSeconds;

  @Option(
      names = "--accel",
      defaultValue = "tcg",
      description = "Accelerator of every guest: tcg or kvm (default: ${DEFAULT-VALUE}).")
  String accel;

  @Option(
      names = "--guest-dir",
      paramLabel = "DIR",
      description =
          "The test guest image (default: $FERRY_GUEST_DIR, else /var/cache/ferry/guest/current).")
  Path guestDir;

  @Option(
      names = "--subnet",
      defaultValue = "77",
      description = "Testbed subnet index k: addresses 198.18.k.0/24 (default: ${DEFAULT-VALUE}).")
  int subnet;

  @Spec CommandSpec spec;

  /** Bytes per timed transfer when the link is measured, and how many transfers. */
  private static final ByteSize LINK_SAMPLE = ByteSize.ofGiB(1);

  private static final int LINK_SAMPLES = 3;

  private PrintWriter console;
  private long startedNanos;
  private Optional<LinkMeter.Measurement> link = Optional.empty();
  private final Map<String, LowerBound> bounds = new LinkedHashMap<>();

  public static void main(String[] args) {
    // A virtual thread blocked reading a child process's pipe pins its carrier, and the spare the
    // scheduler adds for it retires after 30 s without other virtual-thread work. On a 2-CPU
    // machine the outage probe's two pipe readers then hold every carrier, and no other virtual
    // thread (command output readers, QMP) runs until the probe ends: a run without QMP traffic,
    // such as libvirt's, stalled that way after 30 s. More carriers than pinned readers avoid it.
    if (System.getProperty(VT_PARALLELISM) == null) {
      System.setProperty(
          VT_PARALLELISM,
          Integer.toString(Math.max(MIN_CARRIERS, 2 * Runtime.getRuntime().availableProcessors())));
    }
    CommandLine cli = new CommandLine(new Bench());
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("ferry-bench: " + e.getMessage());
          return 1;
        });
    System.exit(cli.execute(args));
  }

  @Override
  public Integer call() {
    console = new PrintWriter(System.out, true);
    startedNanos = System.nanoTime();
    if (runs < 1) {
      throw usage("--runs must be at least 1: " + runs);
    }
    if (giveUpAfterSeconds < 1) {
      throw usage("--give-up-after must be at least 1 s: " + giveUpAfterSeconds);
    }
    List<Scenario> chosenScenarios;
    List<String> peerNames;
    Accelerator accelerator;
    try {
      chosenScenarios = Scenario.parseList(scenarios);
      peerNames = Selection.parse(peers, "peer", PEER_NAMES, n -> n);
      accelerator = Accelerator.valueOf(accel.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
    GuestImage image = GuestImage.at(guestDir != null ? guestDir : defaultGuestDir());
    QemuBinary qemu = QemuBinary.probe(QemuBinary.DEFAULT_PATH);
    Timings timings = Timings.defaults().withGiveUpAfter(Duration.ofSeconds(giveUpAfterSeconds));
    Machine machine =
        Machine.probe(qemu.version(), LibvirtPeer.version(), accelerator.qemuName(), Instant.now());
    List<Peer> chosenPeers = peerNames.stream().map(Bench::peer).toList();

    Cleanup cleanup = new Cleanup();
    Path runtimeDir = Path.of("/run/ferry/bench").resolve(TESTBED);
    Path dataDir = Path.of("/var/lib/ferry/bench").resolve(TESTBED);
    AtomicBoolean tornDown = new AtomicBoolean();
    Runnable teardown =
        () -> {
          if (!tornDown.compareAndSet(false, true)) {
            return;
          }
          chosenPeers.forEach(Peer::close);
          cleanup.runAll();
          Testbed.down(TESTBED);
          Cleanup.deleteTree(runtimeDir);
          Cleanup.deleteTree(dataDir);
        };
    Thread hook = new Thread(teardown, "bench-teardown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      say("Machine: %s", machine.oneLine());
      say("Removing any earlier '%s' testbed", TESTBED);
      Testbed.down(TESTBED);
      boolean agents = chosenPeers.stream().anyMatch(Peer::needsAgents);
      say(
          "Building a 2-host testbed on 198.18.%d.0/24%s",
          subnet, agents ? " with a Ferry agent per host" : "");
      TestbedSpec testbedSpec = TestbedSpec.named(TESTBED).withHosts(2).withSubnetIndex(subnet);
      if (agents) {
        testbedSpec =
            testbedSpec.withAgentLauncher(
                new TestbedAgents(accelerator.qemuName(), Optional.of(image.dir())));
      }
      Testbed testbed = Testbed.up(testbedSpec);
      BenchWorld world =
          new BenchWorld(testbed, image, qemu, accelerator, timings, cleanup, runtimeDir, dataDir);
      prepareStorage(world, chosenScenarios);
      List<RunResult> results = new ArrayList<>();
      List<Schedule.Step> steps = Schedule.of(runs, chosenScenarios, peerNames);
      for (Schedule.Step step : steps) {
        Peer peer = chosenPeers.get(peerNames.indexOf(step.peer()));
        say(
            "Run %d/%d, scenario %s (%s), %s",
            step.run(), runs, step.scenario().id(), step.scenario().title(), peer.name());
        RunResult r = peer.run(step.scenario(), step.run(), world);
        if (tornDown.get()) {
          // The shutdown hook pulled the testbed from under this run: its result means nothing.
          say("Interrupted after %d of %d runs", results.size(), steps.size());
          return 1;
        }
        say("  %s", describe(r));
        results.add(r);
        if (out != null) {
          write(report(machine, chosenScenarios, peerNames, timings, results).toMarkdown());
        }
      }
      Report report = report(machine, chosenScenarios, peerNames, timings, results);
      console.println();
      console.print(report.toText());
      console.flush();
      if (out != null) {
        write(report.toMarkdown());
        say("Report written to %s", out);
      }
    } finally {
      say("Removing the testbed");
      teardown.run();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // Already shutting down: the hook is running or has run the same teardown.
      }
    }
    say("Done");
    return 0;
  }

  /**
   * For scenarios with a disk to copy: prepares each one's image once, measures the link from
   * host-a to host-b (the same measurement for every peer), and computes the lower bounds.
   */
  private void prepareStorage(BenchWorld world, List<Scenario> chosen) {
    if (chosen.stream().noneMatch(s -> s.disk().isPresent())) {
      return;
    }
    say("Preparing the data disks (qemu-img create, qemu-io write)");
    Map<String, DataDisks.Template> disks = world.prepareDisks(chosen);
    disks.forEach((id, t) -> say("  scenario %s: %s holds %s of data", id, t.image(), t.data()));
    say(
        "Measuring the link from %s to %s: %d timed TCP transfers of %s",
        world.source().name(), world.destination().name(), LINK_SAMPLES, LINK_SAMPLE);
    LinkMeter.Measurement m =
        LinkMeter.measure(
            world,
            world.source(),
            world.destination(),
            world.nextMigrationPort(),
            LINK_SAMPLE,
            LINK_SAMPLES);
    say("  %s", m.describe());
    link = Optional.of(m);
    for (Scenario s : chosen) {
      DataDisks.Template t = disks.get(s.id());
      if (t != null) {
        LowerBound b = LowerBound.of(s, t.data(), m.best());
        bounds.put(s.id(), b);
        say(
            "  scenario %s: lower bound %s at %s = %s",
            s.id(), b.bytes(), b.link(), Format.millis(b.time()));
      }
    }
  }

  private static Peer peer(String name) {
    return switch (name) {
      case FerryPeer.NAME -> new FerryPeer(FerryPeer.wired());
      case FerryPeer.POSTCOPY_NAME -> new FerryPeer(FerryPeer.POSTCOPY_NAME, FerryPeer.wired(true));
      case PlainQemuPeer.NAME -> new PlainQemuPeer();
      case LibvirtPeer.NAME -> new LibvirtPeer();
      default -> throw new IllegalArgumentException("unknown peer " + name);
    };
  }

  private Report report(
      Machine machine,
      List<Scenario> chosenScenarios,
      List<String> peerNames,
      Timings timings,
      List<RunResult> results) {
    return new Report(
        machine, chosenScenarios, peerNames, runs, timings.giveUpAfter(), results, link, bounds);
  }

  private static String describe(RunResult r) {
    StringBuilder b = new StringBuilder(r.outcome().describe());
    if (!r.outcome().converged() && r.total().isEmpty()) {
      return b.toString();
    }
    b.append(": total ").append(Format.millis(r.total()));
    b.append(", migration ").append(Format.millis(r.migration()));
    b.append(", downtime ").append(Format.millis(r.downtime()));
    b.append(", outage ").append(Format.millis(r.outage()));
    r.outageAt().ifPresent(at -> b.append(" at ").append(Format.millis(at)));
    b.append(", sent ").append(Format.size(r.transferred()));
    b.append(", moved ").append(Format.size(r.moved()));
    return b.toString();
  }

  private void write(String markdown) {
    try {
      Path parent = out.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(out, markdown);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report to " + out, e);
    }
  }

  private void say(String format, Object... args) {
    double t = (System.nanoTime() - startedNanos) / 1e9;
    console.println(
        String.format(Locale.ROOT, "[%7.1fs] ", t) + String.format(Locale.ROOT, format, args));
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Bench.class.getPackage().getImplementationVersion();
      return new String[] {"ferry-bench " + (v == null ? "(development build)" : v)};
    }
  }

  private static Path defaultGuestDir() {
    String env = System.getenv("FERRY_GUEST_DIR");
    return env != null && !env.isBlank() ? Path.of(env) : GuestImage.DEFAULT_DIR;
  }
}
