package dev.ferry.bench.libvirt;

import dev.ferry.bench.Background;
import dev.ferry.bench.BenchException;
import dev.ferry.bench.BenchWorld;
import dev.ferry.bench.DataDisks;
import dev.ferry.bench.Guest;
import dev.ferry.bench.Outcome;
import dev.ferry.bench.Peer;
import dev.ferry.bench.RunResult;
import dev.ferry.bench.Scenario;
import dev.ferry.common.process.ProcessOutcome;
import dev.ferry.common.process.ProcessRunner;
import dev.ferry.lab.testbed.ExecResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libvirt's live migration as an operator would use it: {@code virsh migrate --live --p2p} between
 * two libvirt hosts ({@link LibvirtHost}), with libvirt's own defaults otherwise. The migration
 * stream goes to the destination's testbed address ({@code --migrateuri tcp://<dest>}; without it
 * the destination hands out the machine's hostname).
 *
 * <p>The two daemons are started on the first run and stopped by {@link #close()}. If they cannot
 * run here, every run reports {@link Outcome.Unavailable} with the reason.
 */
public final class LibvirtPeer implements Peer {
  public static final String NAME = "libvirt";

  private static final Logger log = LoggerFactory.getLogger(LibvirtPeer.class);
  private static final Duration ABORT_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(10);

  private LibvirtHost source;
  private LibvirtHost destination;
  private Optional<String> unavailable = Optional.empty();

  @Override
  public String name() {
    return NAME;
  }

  /** libvirt's version, if it is installed ({@code libvirtd --version}). */
  public static Optional<String> version() {
    if (!Files.isExecutable(LibvirtHost.LIBVIRTD)) {
      return Optional.empty();
    }
    try {
      ProcessOutcome r =
          ProcessRunner.run(VERSION_TIMEOUT, LibvirtHost.LIBVIRTD.toString(), "--version");
      if (!r.ok()) {
        return Optional.empty();
      }
      return Optional.of(r.stdout().strip().replaceFirst("^.*\\(libvirt\\) ", ""));
    } catch (UncheckedIOException e) {
      return Optional.empty();
    }
  }

  @Override
  public RunResult run(Scenario scenario, int run, BenchWorld world) {
    prepare(world);
    if (unavailable.isPresent()) {
      return RunResult.without(NAME, scenario, run, new Outcome.Unavailable(unavailable.get()));
    }
    Guest guest = world.newGuest(NAME, scenario, run);
    Path xml = world.runtimeDir().resolve("libvirt").resolve(guest.name() + ".xml");
    Optional<BenchWorld.RunDisk> disk = Optional.empty();
    try {
      disk = world.dataDisk(scenario, guest);
      Files.createDirectories(xml.getParent());
      Files.writeString(
          xml,
          DomainXml.render(
              guest,
              scenario.memory(),
              world.accelerator(),
              world.machineType(),
              world.qemu().path(),
              world.image().kernel(),
              world.image().initrd(),
              scenario.kernelCmdline(guest.cidr(), guest.name()),
              source.host().bridge(),
              LibvirtHost.consoleInDaemon(guest.name()),
              disk.map(d -> LibvirtHost.IMAGES_IN_DAEMON + "/" + d.fileName())));
      source.virsh("create", xml.toString()).orThrow("virsh create " + guest.name());
      world.awaitGuestReady(guest, () -> source.console(guest.name()));
      Optional<BenchWorld.RunDisk> copied = disk;
      return world.probed(scenario, guest, () -> migrate(world, scenario, run, guest, copied));
    } catch (IOException e) {
      return failed(scenario, run, e.getMessage());
    } catch (RuntimeException e) {
      return failed(scenario, run, String.valueOf(e.getMessage()));
    } finally {
      source.removeDomain(guest.name());
      destination.removeDomain(guest.name());
      disk.ifPresent(BenchWorld.RunDisk::close);
      try {
        Files.deleteIfExists(xml);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private RunResult migrate(
      BenchWorld world,
      Scenario scenario,
      int run,
      Guest guest,
      Optional<BenchWorld.RunDisk> disk) {
    long started = System.nanoTime();
    // libvirt copies a disk into an image that must exist on the destination at the same path
    // (it creates one itself only inside a storage pool): the operator's step, timed as part of
    // the migration like plain QEMU's.
    disk.ifPresent(d -> DataDisks.createEmpty(d.destination(), d.load().size()));
    List<String> command = command(guest.name(), disk.isPresent());
    try (Background virsh =
        Background.start(world.testbed(), source.host().namespace(), command, world.cleanup())) {
      if (virsh.awaitExit(world.timings().giveUpAfter())) {
        Duration total = Duration.ofNanos(System.nanoTime() - started);
        if (virsh.exitCode() != 0) {
          return failed(
              scenario,
              run,
              "virsh migrate: "
                  + virsh.stderr().strip()
                  + " (QEMU log: "
                  + source.qemuLogTail(guest.name())
                  + ")");
        }
        JobStats stats =
            jobStats(destination.virsh("domjobinfo", guest.name(), "--completed", "--rawstats"));
        return result(scenario, run, new Outcome.Converged(), total, stats);
      }
      // Read the running job's figures first: a cancelled job's are not kept. Its downtime is
      // only libvirt's estimate, not a pause that happened.
      JobStats stats =
          jobStats(source.virsh("domjobinfo", guest.name(), "--rawstats")).withoutDowntime();
      ExecResult abort = source.virsh("domjobabort", guest.name());
      if (!virsh.awaitExit(ABORT_TIMEOUT)) {
        throw new BenchException(
            "abort the migration of " + guest.name(),
            "virsh migrate still runs "
                + ABORT_TIMEOUT.toSeconds()
                + " s after domjobabort ("
                + abort.stderr().strip()
                + ")");
      }
      Duration total = Duration.ofNanos(System.nanoTime() - started);
      return result(
          scenario, run, new Outcome.NotConverged(world.timings().giveUpAfter()), total, stats);
    }
  }

  /**
   * {@code virsh -c <source> migrate --live --p2p [--copy-storage-all] <vm> <destination>
   * --migrateuri tcp://<destination address>}: with a data disk libvirt mirrors it over NBD to the
   * destination, whose NBD server listens on the migration URI's address.
   */
  private List<String> command(String vm, boolean copyStorage) {
    List<String> c =
        new ArrayList<>(
            List.of(
                LibvirtHost.VIRSH.toString(), "-c", source.uri(), "migrate", "--live", "--p2p"));
    if (copyStorage) {
      c.add("--copy-storage-all");
    }
    c.addAll(
        List.of(vm, destination.uri(), "--migrateuri", "tcp://" + destination.host().address()));
    return List.copyOf(c);
  }

  /** Starts both daemons once; remembers why not if they cannot run. */
  private void prepare(BenchWorld world) {
    if (source != null || unavailable.isPresent()) {
      return;
    }
    if (!Files.isExecutable(LibvirtHost.LIBVIRTD) || !Files.isExecutable(LibvirtHost.VIRSH)) {
      unavailable =
          Optional.of(
              "libvirt is not installed (apt-get install libvirt-daemon-system libvirt-clients;"
                  + " scripts/bench does)");
      return;
    }
    try {
      source = LibvirtHost.start(world, world.source());
      destination = LibvirtHost.start(world, world.destination());
    } catch (RuntimeException e) {
      close();
      unavailable = Optional.of(String.valueOf(e.getMessage()));
    }
  }

  private static JobStats jobStats(ExecResult domjobinfo) {
    if (!domjobinfo.ok()) {
      log.warn(
          "Cannot read libvirt's job statistics ({}): {}",
          String.join(" ", domjobinfo.command()),
          domjobinfo.stderr().strip());
      return JobStats.NONE;
    }
    JobStats stats = JobStats.parse(domjobinfo.stdout());
    if (stats.equals(JobStats.NONE)) {
      log.warn("libvirt's job statistics carry no figures: '{}'", domjobinfo.stdout().strip());
    }
    return stats;
  }

  private static RunResult result(
      Scenario scenario, int run, Outcome outcome, Duration total, JobStats stats) {
    return RunResult.measured(
        NAME,
        scenario,
        run,
        outcome,
        total,
        stats.elapsed(),
        stats.downtime(),
        stats.transferred());
  }

  private static RunResult failed(Scenario scenario, int run, String why) {
    return RunResult.without(NAME, scenario, run, new Outcome.Failed(why));
  }

  @Override
  public void close() {
    if (destination != null) {
      destination.close();
      destination = null;
    }
    if (source != null) {
      source.close();
      source = null;
    }
  }
}
