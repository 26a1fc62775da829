package dev.ferry.bench.ferry;

import dev.ferry.api.AgentClient;
import dev.ferry.api.AgentEndpoint;
import dev.ferry.api.ApiException;
import dev.ferry.api.MigrationFollower;
import dev.ferry.api.MigrationRequest;
import dev.ferry.api.VmCreateRequest;
import dev.ferry.bench.BenchWorld;
import dev.ferry.bench.Guest;
import dev.ferry.bench.Outcome;
import dev.ferry.bench.Peer;
import dev.ferry.bench.RunResult;
import dev.ferry.bench.Scenario;
import dev.ferry.lab.testbed.HostPlan;
import dev.ferry.migration.MigrationRecord;
import dev.ferry.migration.MigrationSettings;
import dev.ferry.migration.MigrationState;
import dev.ferry.migration.TimeoutAction;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ferry itself: the guest is created and booted through host-a's agent, and moved to host-b by a
 * {@link FerryMigrator}.
 *
 * <p><b>Wiring point.</b> Until Ferry's migration API exists, {@link #wired()} has no migrator and
 * every run reports "not yet wired" without starting anything. To plug Ferry in, make {@link
 * #wired()} return a migrator that calls the agent's migrate endpoint; nothing else in the
 * benchmark changes.
 */
public final class FerryPeer implements Peer {
  public static final String NAME = "ferry";

  /** Ferry with post-copy allowed: the time budget's end switches to post-copy. */
  public static final String POSTCOPY_NAME = "ferry-postcopy";

  private static final Logger log = LoggerFactory.getLogger(FerryPeer.class);
  private static final int NOT_FOUND = 404;
  private static final Duration STOP_GRACE = Duration.ofSeconds(5);
  private static final long CONSOLE_BYTES = 16 * 1024;

  private final String name;
  private final Optional<FerryMigrator> migrator;

  public FerryPeer(Optional<FerryMigrator> migrator) {
    this(NAME, migrator);
  }

  public FerryPeer(String name, Optional<FerryMigrator> migrator) {
    this.name = name;
    this.migrator = migrator;
  }

  /**
   * Ferry's migrator: the source agent's migrate API with default settings, except that the time
   * budget ends with {@code force} (a stop-and-copy) rather than {@code abort}, so that every run
   * reaches the destination or reports why not.
   */
  public static Optional<FerryMigrator> wired() {
    return wired(false);
  }

  /** The same, with post-copy allowed ({@code ferry migrate --allow-postcopy}) or not. */
  public static Optional<FerryMigrator> wired(boolean postcopy) {
    return Optional.of(
        (source, vm, destination, giveUpAfter) ->
            migrateWithFerry(source, vm, destination, giveUpAfter, postcopy));
  }

  private static FerryMigrator.Result migrateWithFerry(
      AgentClient source, String vm, HostPlan destination, Duration giveUpAfter, boolean postcopy) {
    MigrationSettings d = MigrationSettings.defaults();
    MigrationSettings settings =
        new MigrationSettings(
            d.bandwidth(),
            d.initialDowntime(),
            d.maxDowntime(),
            d.multifdChannels(),
            d.autoConverge(),
            postcopy || d.allowPostcopy(),
            d.timeout(),
            TimeoutAction.FORCE,
            false,
            false);
    MigrationRecord r;
    try {
      r =
          source.migrate(
              vm,
              new MigrationRequest(
                  destination.name(), destination.agentUrl().toString(), Optional.of(settings)));
    } catch (ApiException e) {
      return new FerryMigrator.Result(
          FerryMigrator.Status.FAILED,
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.of(e.getMessage()));
    }
    String id = r.id().value();
    try {
      r = MigrationFollower.awaitEnd(source, id, giveUpAfter.plusSeconds(60), x -> {});
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      r = source.migration(id);
    }
    if (!r.state().terminal()) {
      r = source.abortMigration(id);
    }
    FerryMigrator.Status status =
        switch (r.state()) {
          case MigrationState.Completed c -> FerryMigrator.Status.COMPLETED;
          case MigrationState.Aborted a -> FerryMigrator.Status.GAVE_UP;
          default -> FerryMigrator.Status.FAILED;
        };
    return new FerryMigrator.Result(
        status,
        r.durationMs().map(Duration::ofMillis),
        r.downtimeMs().map(Duration::ofMillis),
        r.bytesTransferred(),
        r.error().map(e -> e.phase().text() + ": " + e.cause()));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean needsAgents() {
    return migrator.isPresent();
  }

  @Override
  public RunResult run(Scenario scenario, int run, BenchWorld world) {
    if (migrator.isEmpty()) {
      return RunResult.without(
          name,
          scenario,
          run,
          new Outcome.Unavailable("not yet wired (FerryPeer.wired() has no migrator)"));
    }
    Guest guest = world.newGuest(name, scenario, run);
    HostPlan source = world.source();
    HostPlan destination = world.destination();
    Optional<BenchWorld.RunDisk> disk = Optional.empty();
    try (AgentClient a = agent(source);
        AgentClient b = agent(destination)) {
      try {
        disk = world.dataDisk(scenario, guest);
        a.createVm(request(world, scenario, guest, source, disk));
        world.awaitGuestReady(guest, () -> a.console(guest.name(), CONSOLE_BYTES));
        return world.probed(
            scenario, guest, () -> migrate(world, scenario, run, guest, a, destination));
      } finally {
        remove(a, guest.name());
        remove(b, guest.name());
        // The agents copy the disk to host-b's local storage and delete host-a's copy; whatever
        // is left of either goes now.
        disk.ifPresent(BenchWorld.RunDisk::close);
      }
    } catch (RuntimeException e) {
      return RunResult.without(
          name, scenario, run, new Outcome.Failed(String.valueOf(e.getMessage())));
    }
  }

  private RunResult migrate(
      BenchWorld world,
      Scenario scenario,
      int run,
      Guest guest,
      AgentClient source,
      HostPlan destination) {
    long started = System.nanoTime();
    FerryMigrator.Result r =
        migrator
            .orElseThrow()
            .migrate(source, guest.name(), destination, world.timings().giveUpAfter());
    Duration total = Duration.ofNanos(System.nanoTime() - started);
    Outcome outcome =
        switch (r.status()) {
          case COMPLETED -> new Outcome.Converged();
          case GAVE_UP -> new Outcome.NotConverged(world.timings().giveUpAfter());
          case FAILED -> new Outcome.Failed(r.detail().orElse("Ferry reports a failure"));
        };
    return RunResult.measured(
        name, scenario, run, outcome, total, r.migration(), r.downtime(), r.transferred());
  }

  /**
   * The guest, with its data disk (on host-a's local storage, which host-b's agent cannot see, so
   * that Ferry copies it) when the scenario has one.
   */
  private static VmCreateRequest request(
      BenchWorld world,
      Scenario scenario,
      Guest guest,
      HostPlan source,
      Optional<BenchWorld.RunDisk> disk) {
    return new VmCreateRequest(
        guest.name(),
        Optional.of(1),
        scenario.memory(),
        Optional.empty(),
        Optional.empty(),
        Optional.of(world.image().kernel().toString()),
        Optional.of(world.image().initrd().toString()),
        Optional.of(scenario.kernelCmdline(guest.cidr(), guest.name())),
        disk.map(
                d ->
                    List.of(
                        new VmCreateRequest.Disk(
                            d.source().toString(), Optional.of("qcow2"), Optional.of(false))))
            .orElse(List.of()),
        List.of(new VmCreateRequest.Nic(source.bridge(), Optional.of(guest.mac().value()))),
        Optional.of(true));
  }

  private static AgentClient agent(HostPlan host) {
    return new AgentClient(new AgentEndpoint.Unix(host.agentSocket()));
  }

  /** Stops and deletes {@code vm} on one host; a host that does not have it is fine. */
  private static void remove(AgentClient agent, String vm) {
    try {
      agent.stop(vm, true, STOP_GRACE);
      agent.delete(vm, true);
    } catch (ApiException e) {
      // 404: not on this host (never created, or migrated away), nothing to remove.
      if (e.status() != NOT_FOUND) {
        log.warn("Could not remove {} from {}: {}", vm, agent.endpoint(), e.getMessage());
      }
    }
  }
}
