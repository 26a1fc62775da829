package dev.ferry.agent.migration.outgoing;

import dev.ferry.api.ApiException;
import dev.ferry.api.IncomingStatus;
import dev.ferry.migration.MigrationId;
import dev.ferry.migration.MigrationProblem;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Tells the destination, every second, that the source is alive (its watchdog removes its side
 * after {@code keepAliveTimeout} of silence), and reports a destination that lost the migration or
 * stopped answering into the inbox as a fault. Runs on the agent's scheduler.
 */
final class KeepAlive {
  private final OutgoingContext host;
  private final MigrationId id;
  private final PhaseContext.Destination destination;
  private final Inbox inbox;
  private final AtomicInteger failures = new AtomicInteger();
  private ScheduledFuture<?> task;

  KeepAlive(
      OutgoingContext host, MigrationId id, PhaseContext.Destination destination, Inbox inbox) {
    this.host = host;
    this.id = id;
    this.destination = destination;
    this.inbox = inbox;
  }

  void start() {
    if (task != null) {
      return;
    }
    long period = host.timings().keepAlivePeriod().toMillis();
    task = host.scheduler().scheduleWithFixedDelay(this::beat, 0, period, TimeUnit.MILLISECONDS);
  }

  void stop() {
    if (task != null) {
      task.cancel(false);
    }
  }

  private void beat() {
    try {
      IncomingStatus st = destination.client().keepAlive(id.value());
      failures.set(0);
      if (st.state() == IncomingStatus.State.ABORTED) {
        inbox.post(
            new Signal.Fault(
                new MigrationProblem.DestinationFailed(
                    destination.host(),
                    destination.host() + " removed its side of the migration")));
      }
    } catch (ApiException e) {
      if (e.status() == 404) {
        inbox.post(
            new Signal.Fault(
                new MigrationProblem.DestinationFailed(
                    destination.host(),
                    destination.host() + " no longer knows the migration (its agent restarted?)")));
      }
    } catch (RuntimeException e) {
      int limit = host.timings().keepAliveFailures();
      if (failures.incrementAndGet() == limit) {
        inbox.post(
            new Signal.Fault(
                new MigrationProblem.DestinationUnreachable(
                    destination.host(),
                    "no answer to "
                        + limit
                        + " keepalives in a row ("
                        + limit * host.timings().keepAlivePeriod().toMillis() / 1000
                        + " s): "
                        + e.getMessage())));
      }
    }
  }
}
