package dev.ferry.bench.qemu;

import dev.ferry.bench.BenchException;
import dev.ferry.bench.BenchWorld;
import dev.ferry.bench.DataDisks;
import dev.ferry.bench.Guest;
import dev.ferry.bench.Outcome;
import dev.ferry.bench.Peer;
import dev.ferry.bench.RunResult;
import dev.ferry.bench.Scenario;
import dev.ferry.qemu.BootSpec;
import dev.ferry.qemu.DiskFormat;
import dev.ferry.qemu.DiskSpec;
import dev.ferry.qemu.LaunchMode;
import dev.ferry.qemu.NicSpec;
import dev.ferry.qemu.VmSpec;
import dev.ferry.qmp.BlockCommand;
import dev.ferry.qmp.BlockJobInfo;
import dev.ferry.qmp.BlockNode;
import dev.ferry.qmp.MigrationCommand;
import dev.ferry.qmp.MigrationInfo;
import dev.ferry.qmp.MigrationStatus;
import dev.ferry.qmp.QmpEvent;
import dev.ferry.qmp.QmpException;
import dev.ferry.qmp.RunState;
import dev.ferry.qmp.SocketAddress;
import dev.ferry.qmp.VmCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Plain QEMU with its defaults: {@code migrate} and nothing else. The benchmark starts both QEMUs
 * itself (the source in host-a's namespace, the destination in host-b's with {@code -incoming
 * defer}), changes no migration parameter or capability, and resumes the destination when the
 * source reports {@code completed} (a QEMU started with {@code -S} does not resume by itself).
 *
 * <p>With every capability off QEMU sends no MIGRATION events, and turning the {@code events}
 * capability on would no longer be "defaults only", so this peer polls {@code query-migrate}.
 *
 * <p>A data disk on the source's local storage is copied the way QEMU documents it for QEMU 7.2
 * (block migration is no longer a default; {@code docs/interop/live-block-operations.rst}, "live
 * storage migration with drive-mirror + NBD", and the sequence of its test {@code
 * qemu-iotests/194}): the destination gets an empty image of the same size and exports it writable
 * over its NBD server; the source mirrors the disk into an NBD client node with {@code
 * blockdev-mirror sync=full} and QEMU's defaults otherwise; once the mirror is ready, {@code
 * migrate} as above; once the migration completed (guest paused on both ends), {@code
 * block-job-cancel} ends the mirror without pivoting, the destination stops its NBD server and
 * resumes.
 */
public final class PlainQemuPeer implements Peer {
  public static final String NAME = "qemu";

  private static final String CPU_MODEL = "qemu64";
  private static final String NIC_ID = "net0";
  private static final Duration CANCEL_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration INCOMING_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration MIRROR_END_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration MIRROR_POLL = Duration.ofMillis(50);

  /** The data disk's id: its format node is {@code disk0} ({@code QemuCommandLine}'s rule). */
  static final String DISK = "disk0";

  private static final String NBD_NODE = "nbd-" + DISK;
  private static final String MIRROR_JOB = "mirror-" + DISK;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public RunResult run(Scenario scenario, int run, BenchWorld world) {
    Guest guest = world.newGuest(NAME, scenario, run);
    try (Attempt attempt = new Attempt()) {
      attempt.disk = world.dataDisk(scenario, guest);
      VmSpec spec = spec(world, scenario, guest, attempt.disk.map(BenchWorld.RunDisk::source));
      attempt.source = QemuProcess.start(world, world.source(), spec, LaunchMode.FRESH);
      attempt.source.qmp().call(new VmCommand.Cont());
      world.awaitGuestReady(guest, attempt.source::console);
      return world.probed(
          scenario, guest, () -> migrate(world, scenario, run, guest, spec, attempt));
    } catch (RuntimeException e) {
      return RunResult.without(
          NAME, scenario, run, new Outcome.Failed(String.valueOf(e.getMessage())));
    }
  }

  /** The guest, with the data disk at {@code disk} when the scenario has one. */
  private static VmSpec spec(
      BenchWorld world, Scenario scenario, Guest guest, Optional<Path> disk) {
    return new VmSpec(
        guest.name(),
        guest.uuid(),
        1,
        scenario.memory(),
        world.machineType(),
        CPU_MODEL,
        new BootSpec.Kernel(
            world.image().kernel(),
            Optional.of(world.image().initrd()),
            scenario.kernelCmdline(guest.cidr(), guest.name())),
        disk.map(p -> List.of(new DiskSpec(DISK, p, DiskFormat.QCOW2, false))).orElse(List.of()),
        List.of(new NicSpec(NIC_ID, world.source().bridge(), guest.mac())));
  }

  private RunResult migrate(
      BenchWorld world, Scenario scenario, int run, Guest guest, VmSpec spec, Attempt attempt) {
    long started = System.nanoTime();
    long giveUpAt = started + world.timings().giveUpAfter().toNanos();
    VmSpec destinationSpec = spec;
    if (attempt.disk.isPresent()) {
      BenchWorld.RunDisk disk = attempt.disk.get();
      DataDisks.createEmpty(disk.destination(), disk.load().size());
      destinationSpec = spec(world, scenario, guest, Optional.of(disk.destination()));
    }
    attempt.destination =
        QemuProcess.start(world, world.destination(), destinationSpec, LaunchMode.INCOMING);
    String uri = "tcp:" + world.destination().address() + ":" + world.nextMigrationPort();
    int nbdPort = attempt.disk.isPresent() ? world.nextMigrationPort() : 0;
    if (attempt.disk.isPresent()) {
      exportDisk(world, attempt.destination, nbdPort);
    }
    attempt.destination.qmp().call(new MigrationCommand.MigrateIncoming(uri));
    if (attempt.disk.isPresent()) {
      if (!mirrorDisk(world, attempt.source, nbdPort, giveUpAt)) {
        cancelMirror(attempt.source);
        Duration total = Duration.ofNanos(System.nanoTime() - started);
        return RunResult.measured(
            NAME,
            scenario,
            run,
            new Outcome.NotConverged(world.timings().giveUpAfter()),
            total,
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
      }
    }
    attempt.source.qmp().call(new MigrationCommand.Migrate(uri));

    MigrationInfo info = attempt.source.qmp().call(new MigrationCommand.QueryMigrate());
    MigrationInfo lastActive = info;
    while (!info.status().isFinal() && System.nanoTime() < giveUpAt) {
      BenchWorld.pause(world.timings().poll());
      info = attempt.source.qmp().call(new MigrationCommand.QueryMigrate());
      if (info.ram().isPresent()) {
        lastActive = info;
      }
    }
    return switch (info.status()) {
      case COMPLETED -> {
        if (attempt.disk.isPresent()) {
          endMirror(attempt.source);
          attempt.destination.qmp().call(new BlockCommand.NbdServerStop());
        }
        resumeDestination(world, attempt.destination);
        Duration total = Duration.ofNanos(System.nanoTime() - started);
        attempt.source.quit();
        yield result(scenario, run, new Outcome.Converged(), total, info);
      }
      case FAILED, CANCELLED ->
          RunResult.without(
              NAME,
              scenario,
              run,
              new Outcome.Failed(
                  "QEMU reports the migration "
                      + info.status().name().toLowerCase(Locale.ROOT)
                      + info.errorDesc().map(d -> ": " + d).orElse("")));
      default -> {
        cancel(world, attempt.source);
        if (attempt.disk.isPresent()) {
          cancelMirror(attempt.source);
        }
        Duration total = Duration.ofNanos(System.nanoTime() - started);
        yield result(
            scenario,
            run,
            new Outcome.NotConverged(world.timings().giveUpAfter()),
            total,
            lastActive);
      }
    };
  }

  /**
   * On the destination: {@code nbd-server-start} on its testbed address, then {@code
   * block-export-add} of the data disk's format node, writable, under the node's name.
   */
  private static void exportDisk(BenchWorld world, QemuProcess destination, int port) {
    destination
        .qmp()
        .call(
            new BlockCommand.NbdServerStart(
                new SocketAddress.Inet(world.destination().address(), port)));
    destination.qmp().call(new BlockCommand.BlockExportAdd(DISK, DISK, true, DISK));
  }

  /**
   * On the source: {@code blockdev-add} of an NBD client node for the destination's export, then
   * {@code blockdev-mirror sync=full} into it with QEMU's defaults (no speed limit, background
   * copy); waits until the job is ready (caught up, following the guest's writes).
   *
   * @return false if it was not ready by {@code giveUpAt} (the job is still running)
   * @throws BenchException if the job failed
   */
  private static boolean mirrorDisk(
      BenchWorld world, QemuProcess source, int nbdPort, long giveUpAt) {
    source
        .qmp()
        .call(
            new BlockCommand.BlockdevAdd(
                new BlockNode.Nbd(
                    NBD_NODE,
                    new SocketAddress.Inet(world.destination().address(), nbdPort),
                    DISK)));
    source
        .qmp()
        .call(
            new BlockCommand.BlockdevMirror(
                MIRROR_JOB, DISK, NBD_NODE, BlockCommand.BlockdevMirror.SyncMode.FULL));
    while (System.nanoTime() < giveUpAt) {
      Optional<BlockJobInfo> job = mirrorJob(source);
      if (job.isEmpty()) {
        throw new BenchException(
            "mirror the data disk", "the mirror job ended before it was ready");
      }
      if (job.get().error().isPresent()) {
        throw new BenchException("mirror the data disk", job.get().error().get());
      }
      if (job.get().ready()) {
        return true;
      }
      BenchWorld.pause(MIRROR_POLL);
    }
    return false;
  }

  private static Optional<BlockJobInfo> mirrorJob(QemuProcess source) {
    return source.qmp().call(new BlockCommand.QueryBlockJobs()).stream()
        .filter(j -> j.device().equals(MIRROR_JOB))
        .findFirst();
  }

  /**
   * After the migration completed (the guest is paused): {@code block-job-cancel} of the ready
   * mirror, which copies what the guest wrote last and ends it without pivoting to the target;
   * waits for its BLOCK_JOB_COMPLETED.
   *
   * @throws BenchException if the job reports an error or does not end in time
   */
  private static void endMirror(QemuProcess source) {
    CompletableFuture<QmpEvent.BlockJobCompleted> done =
        source
            .qmp()
            .awaitEvent(
                QmpEvent.BlockJobCompleted.class,
                e -> e.device().equals(MIRROR_JOB),
                MIRROR_END_TIMEOUT);
    source.qmp().call(new BlockCommand.BlockJobCancel(MIRROR_JOB, Optional.empty()));
    QmpEvent.BlockJobCompleted completed;
    try {
      completed = done.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("end the disk mirror", "interrupted", e);
    } catch (ExecutionException e) {
      throw new BenchException(
          "end the disk mirror", String.valueOf(e.getCause().getMessage()), e.getCause());
    }
    if (completed.error().isPresent()) {
      throw new BenchException("end the disk mirror", completed.error().get());
    }
  }

  /**
   * {@code block-job-cancel force=true} of the mirror, if it still runs; waits until it is gone.
   */
  private static void cancelMirror(QemuProcess source) {
    try {
      if (mirrorJob(source).isEmpty()) {
        return;
      }
      source.qmp().call(new BlockCommand.BlockJobCancel(MIRROR_JOB, true));
      long deadline = System.nanoTime() + MIRROR_END_TIMEOUT.toNanos();
      while (mirrorJob(source).isPresent() && System.nanoTime() < deadline) {
        BenchWorld.pause(MIRROR_POLL);
      }
    } catch (QmpException e) {
      // The source is closed with the run either way; the run is already not converged.
    }
  }

  /** Waits for the destination to finish loading the state, then starts its vCPUs. */
  private static void resumeDestination(BenchWorld world, QemuProcess destination) {
    long deadline = System.nanoTime() + INCOMING_TIMEOUT.toNanos();
    RunState state = destination.qmp().call(new VmCommand.QueryStatus()).status();
    while (state == RunState.INMIGRATE && System.nanoTime() < deadline) {
      BenchWorld.pause(world.timings().poll());
      state = destination.qmp().call(new VmCommand.QueryStatus()).status();
    }
    if (state != RunState.PAUSED) {
      throw new BenchException(
          "resume the destination", "it is " + state + " after the source completed");
    }
    destination.qmp().call(new VmCommand.Cont());
  }

  /** {@code migrate_cancel}, then waits until the source says it is cancelled. */
  private static void cancel(BenchWorld world, QemuProcess source) {
    source.qmp().call(new MigrationCommand.MigrateCancel());
    long deadline = System.nanoTime() + CANCEL_TIMEOUT.toNanos();
    MigrationStatus status = source.qmp().call(new MigrationCommand.QueryMigrate()).status();
    while (!status.isFinal() && System.nanoTime() < deadline) {
      BenchWorld.pause(world.timings().poll());
      status = source.qmp().call(new MigrationCommand.QueryMigrate()).status();
    }
    if (!status.isFinal()) {
      throw new BenchException("cancel the migration", "still " + status + " after cancelling");
    }
  }

  private static RunResult result(
      Scenario scenario, int run, Outcome outcome, Duration total, MigrationInfo info) {
    return RunResult.measured(
        NAME,
        scenario,
        run,
        outcome,
        total,
        info.totalTime(),
        info.downtime(),
        info.ram().map(MigrationInfo.Stats::transferred));
  }

  /** The QEMU processes and data disk of one run; all are gone when it closes. */
  private static final class Attempt implements AutoCloseable {
    Optional<BenchWorld.RunDisk> disk = Optional.empty();
    QemuProcess source;
    QemuProcess destination;

    @Override
    public void close() {
      if (destination != null) {
        destination.close();
      }
      if (source != null) {
        source.close();
      }
      disk.ifPresent(BenchWorld.RunDisk::close);
    }
  }
}
