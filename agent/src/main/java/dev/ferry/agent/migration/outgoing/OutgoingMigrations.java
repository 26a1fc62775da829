package dev.ferry.agent.migration.outgoing;

import dev.ferry.agent.AgentException;
import dev.ferry.agent.events.EventBus;
import dev.ferry.agent.vm.OutgoingHandle;
import dev.ferry.api.AgentClient;
import dev.ferry.api.AgentEndpoint;
import dev.ferry.api.HostFacts;
import dev.ferry.api.MigrationRequest;
import dev.ferry.common.DataRate;
import dev.ferry.migration.MigrationRecord;
import dev.ferry.migration.MigrationSettings;
import dev.ferry.migration.MigrationState;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source role of this host, and the migration journals it keeps: starts outgoing migrations,
 * lists and shows them, takes abort and bandwidth requests, and after an agent restart finishes or
 * undoes the ones its journals show unfinished. The public face of the outgoing package; {@code
 * migration.incoming.IncomingMigrations} is the destination side.
 */
public final class OutgoingMigrations implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OutgoingMigrations.class);
  private static final Duration ABORT_WAIT = Duration.ofSeconds(90);

  private final OutgoingContext ctx;
  private final Map<String, OutgoingMigration> running = new ConcurrentHashMap<>();
  private final Map<String, MigrationRecord> history = new ConcurrentHashMap<>();
  private final Map<String, AgentClient> peers = new ConcurrentHashMap<>();

  public OutgoingMigrations(
      String hostName,
      Supplier<HostFacts> facts,
      SourceVms vms,
      EventBus events,
      Clock clock,
      Path stateDir,
      ScheduledExecutorService scheduler,
      EngineTimings timings) {
    this(hostName, facts, vms, events, clock, stateDir, scheduler, timings, null);
  }

  /**
   * As above, with the clients for destination agents made by {@code peers} (the component tests'
   * seam); null for the default clients.
   */
  OutgoingMigrations(
      String hostName,
      Supplier<HostFacts> facts,
      SourceVms vms,
      EventBus events,
      Clock clock,
      Path stateDir,
      ScheduledExecutorService scheduler,
      EngineTimings timings,
      Function<String, AgentClient> peers) {
    this.ctx =
        new OutgoingContext(
            hostName,
            facts,
            vms,
            events,
            clock,
            new OutgoingStore(stateDir),
            new HostEstimates(),
            scheduler,
            peers == null ? this::peer : peers,
            timings);
    ctx.store().loadRecords().forEach(r -> history.put(r.id().value(), r));
  }

  /** Starts a migration; returns once preflight passed, throws its refusal otherwise. */
  public MigrationRecord migrate(String vm, MigrationRequest request) {
    if (request == null
        || request.destinationAgent() == null
        || request.destinationHost() == null) {
      throw new AgentException.BadRequest(
          "a migration needs destinationHost and destinationAgent (the destination agent's URL)");
    }
    try {
      AgentEndpoint.parse(request.destinationAgent());
    } catch (IllegalArgumentException e) {
      throw new AgentException.BadRequest(e.getMessage());
    }
    MigrationSettings settings = request.settings().orElse(MigrationSettings.defaults());
    OutgoingMigration m =
        OutgoingMigration.begin(
            ctx, vm, request.destinationHost(), request.destinationAgent(), settings);
    running.put(m.id().value(), m);
    m.finished()
        .whenComplete(
            (record, err) -> {
              if (record != null) {
                history.put(record.id().value(), record);
              }
              running.remove(m.id().value());
            });
    try {
      m.preflight();
    } catch (RuntimeException e) {
      running.remove(m.id().value());
      history.put(m.id().value(), m.snapshot());
      throw e;
    }
    m.start();
    return m.snapshot();
  }

  /** Whether the migration's runner is still going (its record may already be terminal). */
  boolean isRunning(String id) {
    return running.containsKey(id);
  }

  public List<MigrationRecord> list() {
    Map<String, MigrationRecord> all = new ConcurrentHashMap<>(history);
    running.values().forEach(m -> all.put(m.id().value(), m.snapshot()));
    return all.values().stream().sorted(Comparator.comparing(MigrationRecord::startedAt)).toList();
  }

  public MigrationRecord get(String id) {
    OutgoingMigration m = running.get(id);
    if (m != null) {
      return m.snapshot();
    }
    MigrationRecord r = history.get(id);
    if (r == null) {
      throw new AgentException.NotFound("no migration " + id + " on " + ctx.hostName());
    }
    return r;
  }

  /**
   * Aborts a migration and waits until it is rolled back. Idempotent: aborting an aborted migration
   * returns its record. Refused (409) once the destination is taking over.
   */
  public MigrationRecord abort(String id, String reason) {
    OutgoingMigration m = running.get(id);
    if (m == null) {
      MigrationRecord r = get(id);
      if (r.state() instanceof MigrationState.Completed) {
        throw new AgentException.Conflict(
            "migration " + id + " completed; the VM runs on " + r.destination());
      }
      return r;
    }
    boolean accepted;
    try {
      accepted = m.requestAbort(reason).get(ABORT_WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException | ExecutionException e) {
      throw new AgentException.Failed("abort of " + id + " not taken: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AgentException.Failed("interrupted", e);
    }
    if (!accepted) {
      throw new AgentException.Conflict(
          "migration "
              + id
              + " is in "
              + m.state().label()
              + ": the destination is taking over the VM, abort is no longer possible");
    }
    try {
      return m.finished().get(ABORT_WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException | ExecutionException e) {
      return m.snapshot();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return m.snapshot();
    }
  }

  public MigrationRecord setBandwidth(String id, DataRate rate) {
    OutgoingMigration m = running.get(id);
    if (m == null) {
      get(id);
      throw new AgentException.Conflict("migration " + id + " is not running");
    }
    if (rate == null || rate.bytesPerSecond() < (1 << 20)) {
      throw new AgentException.BadRequest("bandwidth must be at least 1 MiB/s");
    }
    m.changeBandwidth(rate);
    return m.snapshot();
  }

  public MigrationRecord reportOutage(String id, long outageMs) {
    if (outageMs < 0) {
      throw new AgentException.BadRequest("outageMs must not be negative");
    }
    Duration outage = Duration.ofMillis(outageMs);
    OutgoingMigration m = running.get(id);
    if (m != null) {
      m.reportOutage(outage);
      return m.snapshot();
    }
    MigrationRecord r = get(id);
    MigrationRecord updated = r.withOutage(outage);
    r.downtimeMs().ifPresent(d -> ctx.estimates().observeOutage(Duration.ofMillis(d), outage));
    ctx.store().save(updated);
    history.put(id, updated);
    return updated;
  }

  /** Finishes or undoes migrations found unfinished after an agent restart. */
  public void recover() {
    for (OutgoingNotes notes : ctx.store().loadNotes()) {
      MigrationRecord r = history.get(notes.id());
      if (r == null || r.state().terminal()) {
        ctx.store().deleteNotes(notes.id());
        continue;
      }
      try {
        OutgoingHandle handle =
            ctx.vms().resumeOutgoing(notes.vm(), notes.id(), notes.wasRunning());
        OutgoingMigration m = OutgoingMigration.recover(ctx, r, notes, handle);
        running.put(notes.id(), m);
        m.finished()
            .whenComplete(
                (record, err) -> {
                  if (record != null) {
                    history.put(record.id().value(), record);
                  }
                  running.remove(notes.id());
                });
        log.warn(
            "Migration {} of {} was in {} when the agent stopped; recovering",
            notes.id(),
            notes.vm(),
            r.state().label());
        m.finishAfterRestart();
      } catch (RuntimeException e) {
        log.error("Migration {}: cannot recover: {}", notes.id(), e.getMessage());
      }
    }
  }

  private AgentClient peer(String url) {
    return peers.computeIfAbsent(
        url, u -> new AgentClient(AgentEndpoint.parse(u), Duration.ofSeconds(20)));
  }

  @Override
  public void close() {
    peers.values().forEach(AgentClient::close);
  }
}
