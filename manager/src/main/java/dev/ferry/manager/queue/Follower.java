package dev.ferry.manager.queue;

import dev.ferry.api.AgentEvent;
import dev.ferry.api.ApiException;
import dev.ferry.api.ClusterMigration;
import dev.ferry.migration.MigrationRecord;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows one running migration until it ends, mirroring the source agent's record into the
 * inventory. It listens to the source agent's event stream ({@code GET /v1/events}) and reads the
 * record when an event names the migration; while the stream is down it reads the record every
 * {@link QueueTimings#fallbackPoll}, and reopens the stream after {@link QueueTimings#reconnect}.
 *
 * <p>Threads: {@link #run} owns the migration's entry (one virtual thread per migration); a second
 * virtual thread holds the stream and only signals {@link #wake}. Reconnects resume after the last
 * event seen ({@code ?since=seq}); after a failed connect they start from 0, since a restarted
 * agent numbers its events from 1 again. Each (re)open reads the record once, so nothing that
 * happened while the stream was down is missed.
 */
final class Follower implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Follower.class);

  private final QueueContext ctx;
  private final String id;
  private final Runnable onExit;
  private final Wake wake = new Wake();
  private final Wake stopping = new Wake();
  private volatile boolean stopped;
  private volatile boolean streamUp;
  private volatile String agentMigration = "";
  private long lastSeq;
  private Thread stream;

  Follower(QueueContext ctx, String id, Runnable onExit) {
    this.ctx = ctx;
    this.id = id;
    this.onExit = onExit;
  }

  /** Ends following (the manager closes); the migration itself carries on on its agent. */
  void stop() {
    stopped = true;
    stopping.signal();
    wake.signal();
  }

  /** Whether the source agent's event stream is open now (for tests and diagnostics). */
  boolean streaming() {
    return streamUp;
  }

  @Override
  public void run() {
    Instant unreachableSince = null;
    try {
      while (!stopped) {
        ClusterMigration m = ctx.migration(id);
        if (m.status().done()) {
          return;
        }
        if (m.agentMigration().isEmpty()) {
          Optional<MigrationRecord> adopted = adoptStarted(m);
          if (adopted.isEmpty()) {
            ctx.recorder()
                .ended(
                    m,
                    ClusterMigration.Status.FAILED,
                    Optional.of(
                        "the manager restarted while starting it; the source has no such"
                            + " migration"),
                    Optional.empty());
            return;
          }
          log.info("Migration {} was started before a restart as {}", id, adopted.get().id());
          m = ctx.recorder().progress(m.runningAs(adopted.get()), adopted.get());
        }
        agentMigration = m.agentMigration().orElseThrow();
        if (stream == null) {
          String source = m.source();
          stream = Thread.ofVirtual().name("migration-events-" + id).start(() -> listen(source));
        }
        try {
          MigrationRecord r = ctx.reader(m.source()).migration(agentMigration);
          unreachableSince = null;
          if (ctx.recorder().finish(m, r).isPresent()) {
            return;
          }
          ctx.recorder().progress(m, r);
        } catch (ApiException e) {
          ctx.recorder()
              .ended(
                  m,
                  ClusterMigration.Status.FAILED,
                  Optional.of("the source agent lost the migration: " + e.getMessage()),
                  m.record());
          return;
        } catch (RuntimeException e) {
          if (unreachableSince == null) {
            unreachableSince = ctx.recorder().now();
            log.warn("Cannot follow migration {} on {}: {}", id, m.source(), e.getMessage());
          }
          ctx.recorder().note(m, "source agent unreachable since " + unreachableSince);
        }
        wake.await(streamUp ? ctx.timings().streamRefresh() : ctx.timings().fallbackPoll());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      stopped = true;
      stopping.signal();
      if (stream != null) {
        stream.interrupt();
      }
      onExit.run();
    }
  }

  /** The stream thread: holds the source agent's event stream open while following. */
  private void listen(String source) {
    boolean warned = false;
    while (!stopped && !Thread.currentThread().isInterrupted()) {
      boolean failed = false;
      try {
        ctx.reader(source).followEvents(lastSeq, this::opened, this::onEvent);
      } catch (RuntimeException e) {
        failed = true;
        if (!warned && !stopped) {
          log.info(
              "No event stream from {} for migration {} ({}); reading its record every {}",
              source,
              id,
              e.getMessage(),
              ctx.timings().fallbackPoll());
          warned = true;
        }
      }
      if (streamUp) {
        streamUp = false;
        if (!stopped) {
          log.info("Event stream from {} for migration {} ended; reopening it", source, id);
        }
        wake.signal();
      }
      if (failed) {
        lastSeq = 0;
      } else {
        warned = false;
      }
      try {
        stopping.await(ctx.timings().reconnect());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void opened() {
    streamUp = true;
    log.debug("Following migration {} through its source agent's events after {}", id, lastSeq);
    wake.signal();
  }

  private void onEvent(AgentEvent e) {
    lastSeq = e.seq();
    if (e.type() == AgentEvent.Type.AGENT_STARTED
        || e.migration().filter(agentMigration::equals).isPresent()) {
      wake.signal();
    }
  }

  /** After a restart mid-start: the source's migration of this VM begun after the request. */
  private Optional<MigrationRecord> adoptStarted(ClusterMigration m) {
    try {
      return ctx.operations(m.source()).migrations().stream()
          .filter(r -> r.vm().equals(m.vm()))
          .filter(r -> !r.startedAt().isBefore(m.requestedAt()))
          .findFirst();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
