package dev.ferry.bench.qemu;

import dev.ferry.bench.BenchException;
import dev.ferry.bench.BenchWorld;
import dev.ferry.bench.Guest;
import dev.ferry.bench.Outcome;
import dev.ferry.bench.Peer;
import dev.ferry.bench.RunResult;
import dev.ferry.bench.Scenario;
import dev.ferry.qemu.BootSpec;
import dev.ferry.qemu.LaunchMode;
import dev.ferry.qemu.NicSpec;
import dev.ferry.qemu.VmSpec;
import dev.ferry.qmp.MigrationCommand;
import dev.ferry.qmp.MigrationInfo;
import dev.ferry.qmp.MigrationStatus;
import dev.ferry.qmp.RunState;
import dev.ferry.qmp.VmCommand;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Plain QEMU with its defaults: {@code migrate} and nothing else. The benchmark starts both QEMUs
 * itself (the source in host-a's namespace, the destination in host-b's with {@code -incoming
 * defer}), changes no migration parameter or capability, and resumes the destination when the
 * source reports {@code completed} (a QEMU started with {@code -S} does not resume by itself).
 *
 * <p>With every capability off QEMU sends no MIGRATION events, and turning the {@code events}
 * capability on would no longer be "defaults only", so this peer polls {@code query-migrate}.
 */
public final class PlainQemuPeer implements Peer {
  public static final String NAME = "qemu";

  private static final String CPU_MODEL = "qemu64";
  private static final String NIC_ID = "net0";
  private static final Duration CANCEL_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration INCOMING_TIMEOUT = Duration.ofSeconds(30);

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public RunResult run(Scenario scenario, int run, BenchWorld world) {
    Guest guest = world.newGuest(NAME, scenario, run);
    VmSpec spec = spec(world, scenario, guest);
    try (Attempt attempt = new Attempt()) {
      attempt.source = QemuProcess.start(world, world.source(), spec, LaunchMode.FRESH);
      attempt.source.qmp().call(new VmCommand.Cont());
      world.awaitGuestReady(guest, attempt.source::console);
      return world.probed(scenario, guest, () -> migrate(world, scenario, run, spec, attempt));
    } catch (RuntimeException e) {
      return RunResult.without(
          NAME, scenario, run, new Outcome.Failed(String.valueOf(e.getMessage())));
    }
  }

  private static VmSpec spec(BenchWorld world, Scenario scenario, Guest guest) {
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
        List.of(),
        List.of(new NicSpec(NIC_ID, world.source().bridge(), guest.mac())));
  }

  private RunResult migrate(
      BenchWorld world, Scenario scenario, int run, VmSpec spec, Attempt attempt) {
    long started = System.nanoTime();
    attempt.destination = QemuProcess.start(world, world.destination(), spec, LaunchMode.INCOMING);
    String uri = "tcp:" + world.destination().address() + ":" + world.nextMigrationPort();
    attempt.destination.qmp().call(new MigrationCommand.MigrateIncoming(uri));
    attempt.source.qmp().call(new MigrationCommand.Migrate(uri));

    long giveUpAt = started + world.timings().giveUpAfter().toNanos();
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

  /** The QEMU processes of one run; both are gone when it closes. */
  private static final class Attempt implements AutoCloseable {
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
    }
  }
}
