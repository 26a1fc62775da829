package dev.ferry.manager.queue;

import dev.ferry.api.ApiException;
import dev.ferry.api.ClusterMigration;
import dev.ferry.api.MigrationRequest;
import dev.ferry.api.QueueLimits;
import dev.ferry.manager.store.MigrationStore;
import dev.ferry.migration.MigrationRecord;
import dev.ferry.migration.MigrationSettings;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher: one thread that, each time something changed (a migration queued or ended, limits
 * changed, a host came back; see {@link Wake}) or at the latest every {@link
 * QueueTimings#dispatchRecheck}, decides through the pure {@link Dispatch} which queued migrations
 * start, records the decision (the {@code started_at} it writes is also what fairness across
 * sources reads back, so it survives a restart), then asks each source agent to start, on a virtual
 * thread per start.
 */
final class Dispatcher {
  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  private final QueueContext ctx;
  private final Supplier<QueueLimits> limits;
  private final Wake wake;
  private final Consumer<ClusterMigration> follow;
  private volatile boolean closed;
  private Thread thread;

  Dispatcher(
      QueueContext ctx,
      Supplier<QueueLimits> limits,
      Wake wake,
      Consumer<ClusterMigration> follow) {
    this.ctx = ctx;
    this.limits = limits;
    this.wake = wake;
    this.follow = follow;
  }

  void start() {
    thread = Thread.ofPlatform().name("migration-dispatcher").daemon().start(this::loop);
  }

  void close() {
    closed = true;
    if (thread != null) {
      thread.interrupt();
    }
  }

  private void loop() {
    while (!closed) {
      try {
        dispatchOnce();
        wake.await(ctx.timings().dispatchRecheck());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        log.error("Queue dispatch failed; retrying in {}", ctx.timings().dispatchRetry(), e);
        try {
          wake.await(ctx.timings().dispatchRetry());
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** One pass: decide, record, start. */
  void dispatchOnce() {
    List<ClusterMigration> active =
        ctx.store().active().stream().map(MigrationStore.Row::migration).toList();
    List<ClusterMigration> running =
        active.stream().filter(m -> m.status() == ClusterMigration.Status.RUNNING).toList();
    List<ClusterMigration> queued =
        active.stream().filter(m -> m.status() == ClusterMigration.Status.QUEUED).toList();
    if (queued.isEmpty()) {
      return;
    }
    Dispatch.Decision d =
        Dispatch.decide(running, queued, limits.get(), ctx.store().lastStartBySource());
    for (ClusterMigration m : queued) {
      String why = d.waiting().get(m.id());
      if (why != null) {
        ctx.recorder().waiting(m, why);
      }
    }
    for (ClusterMigration m : d.start()) {
      Optional<MigrationSettings> settings =
          ctx.store().find(m.id()).flatMap(MigrationStore.Row::settings);
      ClusterMigration starting = ctx.recorder().starting(m);
      Thread.ofVirtual().name("migration-start-" + m.id()).start(() -> launch(starting, settings));
    }
  }

  private void launch(ClusterMigration m, Optional<MigrationSettings> settings) {
    try {
      MigrationRequest request =
          new MigrationRequest(m.destination(), ctx.url(m.destination()), settings);
      MigrationRecord r = ctx.operations(m.source()).migrate(m.vm(), request);
      follow.accept(ctx.recorder().started(m, r));
    } catch (ApiException e) {
      ctx.recorder()
          .ended(
              m,
              ClusterMigration.Status.FAILED,
              Optional.of("refused: " + e.getMessage()),
              Optional.empty());
    } catch (RuntimeException e) {
      ctx.recorder()
          .ended(
              m,
              ClusterMigration.Status.FAILED,
              Optional.of("could not start: " + e.getMessage()),
              Optional.empty());
    }
  }
}
