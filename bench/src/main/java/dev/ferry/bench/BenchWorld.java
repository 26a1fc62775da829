package dev.ferry.bench;

import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import dev.ferry.lab.testbed.ExecResult;
import dev.ferry.lab.testbed.HostPlan;
import dev.ferry.lab.testbed.OutageProbe;
import dev.ferry.lab.testbed.ProbeResult;
import dev.ferry.lab.testbed.Testbed;
import dev.ferry.qemu.Accelerator;
import dev.ferry.qemu.MacAddress;
import dev.ferry.qemu.QemuBinary;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * What every peer runs on: the testbed (source host-a, destination host-b, the client namespace),
 * the test guest, the QEMU binary, the timings, and the cleanup registry. Also the steps all peers
 * share: a fresh guest identity, waiting for the guest to boot, the warm-up, the outage probe
 * around the migration, and the source link cap.
 *
 * <p>Used from the benchmark's main thread only (runs are sequential).
 */
public final class BenchWorld {
  static final String SOURCE = "host-a";
  static final String DESTINATION = "host-b";

  /** The test guest's serial markers (guest/README.md). */
  static final String READY_MARKER = "FERRY-GUEST-READY";

  static final String ERROR_MARKER = "FERRY-GUEST-ERROR";

  /** Guest addresses 198.18.k.100..199; the benchmark cycles through them. */
  private static final int GUEST_ADDRESSES = 100;

  private static final int FIRST_MIGRATION_PORT = 49300;
  private static final int MIGRATION_PORTS = 100;
  private static final Duration CONSOLE_POLL = Duration.ofMillis(100);
  private static final Duration COUNTER_TIMEOUT = Duration.ofSeconds(10);

  private final Testbed testbed;
  private final GuestImage image;
  private final QemuBinary qemu;
  private final Accelerator accelerator;
  private final Timings timings;
  private final Cleanup cleanup;
  private final Path runtimeDir;
  private final Path dataDir;
  private final AtomicInteger guests = new AtomicInteger();
  private final AtomicInteger ports = new AtomicInteger();
  private final DataDisks disks;

  /**
   * @param runtimeDir where QEMU processes the benchmark starts keep their sockets and logs
   * @param dataDir where peers keep state on disk (libvirt's per-host directories)
   */
  public BenchWorld(
      Testbed testbed,
      GuestImage image,
      QemuBinary qemu,
      Accelerator accelerator,
      Timings timings,
      Cleanup cleanup,
      Path runtimeDir,
      Path dataDir) {
    this.testbed = Objects.requireNonNull(testbed, "testbed");
    this.image = Objects.requireNonNull(image, "image");
    this.qemu = Objects.requireNonNull(qemu, "qemu");
    this.accelerator = Objects.requireNonNull(accelerator, "accelerator");
    this.timings = Objects.requireNonNull(timings, "timings");
    this.cleanup = Objects.requireNonNull(cleanup, "cleanup");
    this.runtimeDir = Objects.requireNonNull(runtimeDir, "runtimeDir");
    this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
    this.disks = new DataDisks(dataDir.resolve("disks"));
  }

  public Testbed testbed() {
    return testbed;
  }

  public GuestImage image() {
    return image;
  }

  public QemuBinary qemu() {
    return qemu;
  }

  public Accelerator accelerator() {
    return accelerator;
  }

  public Timings timings() {
    return timings;
  }

  public Cleanup cleanup() {
    return cleanup;
  }

  public Path runtimeDir() {
    return runtimeDir;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** Where guests boot and migrations start: host-a. */
  public HostPlan source() {
    return testbed.host(SOURCE).plan();
  }

  /** Where guests migrate to: host-b. */
  public HostPlan destination() {
    return testbed.host(DESTINATION).plan();
  }

  /** The versioned machine type both ends of a migration use ({@code pc} resolved). */
  public String machineType() {
    return qemu.resolveMachine("pc")
        .orElseThrow(() -> new BenchException("machine type", qemu.path() + " has no 'pc'"));
  }

  /** A fresh identity for the guest of {@code peer}'s run {@code run} of {@code scenario}. */
  public Guest newGuest(String peer, Scenario scenario, int run) {
    int n = guests.getAndIncrement();
    UUID uuid = UUID.randomUUID();
    return new Guest(
        (peer + "-" + scenario.id() + "-" + run).toLowerCase(Locale.ROOT),
        uuid,
        testbed.guestAddress(n % GUEST_ADDRESSES),
        source().prefixLength(),
        MacAddress.derive(uuid, 0));
  }

  /** A TCP port for the next migration stream, so no run meets the last one's closing socket. */
  public int nextMigrationPort() {
    return FIRST_MIGRATION_PORT + ports.getAndIncrement() % MIGRATION_PORTS;
  }

  /**
   * Prepares the data disk of every scenario in {@code scenarios} that has one (see {@link
   * DataDisks}), so that no run pays for it.
   *
   * @return per scenario id, the prepared image and the data it holds
   */
  public Map<String, DataDisks.Template> prepareDisks(List<Scenario> scenarios) {
    Map<String, DataDisks.Template> prepared = new LinkedHashMap<>();
    for (Scenario s : scenarios) {
      s.disk().ifPresent(d -> prepared.put(s.id(), disks.template("scenario-" + s.id(), d)));
    }
    return prepared;
  }

  /**
   * The data disk of one run: a thin copy of the scenario's prepared image on host-a's local
   * storage, and where a copy on host-b goes (the same file name in host-b's local storage: where
   * Ferry's agent puts it, and the path libvirt sees as the same as the source's). Closing it
   * deletes both files.
   *
   * @param source the image the guest boots with, on host-a
   * @param destination where the copy on host-b belongs
   * @param load what the scenario puts on the disk
   */
  public record RunDisk(
      Path source, Path destination, Scenario.DiskLoad load, Cleanup.Registration undo)
      implements AutoCloseable {
    public String fileName() {
      return source.getFileName().toString();
    }

    @Override
    public void close() {
      undo.close();
    }
  }

  /**
   * Makes the data disk of {@code guest}'s run of {@code scenario}; empty for a scenario without a
   * disk. The files are removed when the result is closed, or by the cleanup registry.
   */
  public Optional<RunDisk> dataDisk(Scenario scenario, Guest guest) {
    if (scenario.disk().isEmpty()) {
      return Optional.empty();
    }
    Scenario.DiskLoad load = scenario.disk().get();
    DataDisks.Template template = disks.template("scenario-" + scenario.id(), load);
    String file = guest.name() + ".qcow2";
    Path source = source().localDir().resolve(file);
    Path destination = destination().localDir().resolve(file);
    Cleanup.Registration undo =
        cleanup.add(
            "data disk " + file,
            () -> {
              DataDisks.delete(source);
              DataDisks.delete(destination);
            });
    try {
      DataDisks.delete(source);
      DataDisks.delete(destination);
      DataDisks.copy(template, source);
    } catch (RuntimeException e) {
      undo.close();
      throw e;
    }
    return Optional.of(new RunDisk(source, destination, load, undo));
  }

  /**
   * Caps the source host's link as the scenario asks, until the returned handle is closed; a no-op
   * handle when it asks for nothing.
   */
  public Cleanup.Registration capLink(Scenario scenario) {
    if (scenario.sourceLinkCap().isEmpty()) {
      return cleanup.add("no link cap", () -> {});
    }
    testbed.limitRate(SOURCE, scenario.sourceLinkCap().get());
    return cleanup.add("uncap " + SOURCE, () -> testbed.clearImpairment(SOURCE));
  }

  /**
   * Waits until the guest's serial console (as {@code console} reads it) shows the ready marker.
   *
   * @throws BenchException if it shows the error marker, or nothing within the boot timeout
   */
  public void awaitGuestReady(Guest guest, Supplier<String> console) {
    long deadline = System.nanoTime() + timings.boot().toNanos();
    while (true) {
      String text = console.get();
      if (text.contains(READY_MARKER)) {
        return;
      }
      if (text.contains(ERROR_MARKER)) {
        throw new BenchException("boot " + guest.name(), "the guest reported " + tail(text));
      }
      if (System.nanoTime() > deadline) {
        throw new BenchException(
            "boot " + guest.name(),
            "not ready within " + timings.boot().toSeconds() + " s; console ends: " + tail(text));
      }
      pause(CONSOLE_POLL);
    }
  }

  /**
   * The steps around a peer's migration of a booted guest: the warm-up, the scenario's link cap,
   * the probe from the client namespace, the migration itself, the settling time after a
   * switchover; fills in the outage the probe saw. The link cap is removed again before this
   * returns.
   */
  public RunResult probed(Scenario scenario, Guest guest, Supplier<RunResult> migration) {
    pause(timings.warmUp());
    // A stale neighbour entry from an earlier guest on the same address would look like outage.
    testbed.exec(testbed.clientNamespace(), "ip", "neigh", "flush", "all");
    // Read before the probe starts, so that the peer's request follows the probe's start at once.
    Optional<WriterProgress> writerBefore =
        scenario.disk().isPresent() ? writerProgress(guest) : Optional.empty();
    Optional<Long> sentBefore = sourceBytesSent();
    Cleanup.Registration cap = capLink(scenario);
    try (OutageProbe probe =
        OutageProbe.start(
            testbed, image.probe(), guest.address(), Duration.ofMillis(1), timings.firstReply())) {
      // The probe's window began as start() returned, and the peer's request follows at once, so
      // offsets into the window are (to a few ms) offsets from the migration request.
      RunResult result = migration.get();
      Optional<Long> sentAfter = sourceBytesSent();
      Optional<ByteSize> moved =
          sentBefore.flatMap(b -> sentAfter.map(a -> ByteSize.ofBytes(Math.max(0, a - b))));
      if (result.outcome().converged()) {
        pause(timings.settle());
      }
      Optional<DataRate> guestWrites =
          writerBefore.flatMap(b -> writerProgress(guest).flatMap(a -> a.rateSince(b)));
      ProbeResult seen = probe.stop();
      return result
          .withOutage(millis(seen.outageMs()), outageStart(seen))
          .withTraffic(moved, guestWrites);
    } finally {
      cap.close();
    }
  }

  /**
   * What host-a has sent over its link to the fabric so far (the uplink's TX counter): the
   * migration streams and disk copies of every peer go that way, plus the probe's replies while the
   * guest is there (~0.1 MB/s). Empty if the counter cannot be read.
   */
  Optional<Long> sourceBytesSent() {
    ExecResult r =
        Commands.run(
            List.of(
                "ip",
                "netns",
                "exec",
                source().namespace(),
                "cat",
                "/sys/class/net/" + Testbed.HOST_UPLINK + "/statistics/tx_bytes"),
            COUNTER_TIMEOUT);
    if (!r.ok()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseLong(r.stdout().strip()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * The guest's disk writer's progress, from its {@code /cgi-bin/status} read with {@code curl}
   * from the client namespace; empty if the guest does not answer within a few seconds.
   */
  Optional<WriterProgress> writerProgress(Guest guest) {
    ExecResult r =
        Commands.run(
            List.of(
                "ip",
                "netns",
                "exec",
                testbed.clientNamespace(),
                "curl",
                "-s",
                "-m",
                "5",
                "http://" + guest.address() + "/cgi-bin/status"),
            COUNTER_TIMEOUT);
    return r.ok() ? WriterProgress.parse(r.stdout()) : Optional.empty();
  }

  /** Runs a command in {@code host}'s namespace. */
  public ExecResult exec(HostPlan host, Duration timeout, List<String> command) {
    return testbed.exec(host.namespace(), timeout, command);
  }

  /**
   * Sleeps; an interrupt ends the benchmark. For measuring intervals (warm-up, settling), the
   * console's ready marker and the plain peers' job polls, which copy what a script around plain
   * QEMU or libvirt does.
   */
  public static void pause(Duration d) {
    try {
      // A fixed interval by design: these waits time the guest or mimic a baseline's polling.
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("wait", "interrupted", e);
    }
  }

  /** Where in the probe's window the longest gap began: at a gap, or at the last reply. */
  static Optional<Duration> outageStart(ProbeResult p) {
    if (p.tailGapMs() >= p.maxGapMs()) {
      return Optional.ofNullable(p.lastReplyAtMs()).map(BenchWorld::millis);
    }
    if (p.gaps() == null) {
      return Optional.empty();
    }
    return p.gaps().stream()
        .max(Comparator.comparingDouble(ProbeResult.Gap::ms))
        .map(g -> millis(g.startMs()));
  }

  private static Duration millis(double ms) {
    return Duration.ofNanos(Math.round(ms * 1_000_000));
  }

  private static String tail(String text) {
    String t = text.strip();
    List<String> lines = t.lines().toList();
    return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
  }
}
