package dev.ferry.agent.migration.incoming;

import dev.ferry.agent.AgentException;
import dev.ferry.agent.vm.IncomingHandle;
import dev.ferry.api.IncomingOffer;
import dev.ferry.migration.IncomingState;
import dev.ferry.qmp.MigrationCommand.MigratePause;
import dev.ferry.qmp.MigrationCommand.MigrateRecover;
import dev.ferry.qmp.MigrationCommand.QueryMigrate;
import dev.ferry.qmp.MigrationStatus;
import dev.ferry.qmp.QmpClient;
import dev.ferry.qmp.QmpEvent;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reopens a post-copy stream that broke after the handover, on the destination: the guest runs here
 * and waits for memory only the source has.
 */
final class PostcopyRecovery {
  private static final Duration PAUSE_WAIT = Duration.ofSeconds(5);

  private final IncomingMigrations owner;
  private final DestinationVms vms;
  private final Optional<String> listenAddress;

  PostcopyRecovery(IncomingMigrations owner, DestinationVms vms, Optional<String> listenAddress) {
    this.owner = owner;
    this.vms = vms;
    this.listenAddress = listenAddress;
  }

  /**
   * Reopens a post-copy stream that broke after the handover (the guest runs here and waits for
   * memory only the source has): pauses this end if QEMU has not noticed the break yet ({@code
   * migrate-pause}), then listens again ({@code migrate-recover}) and answers where the source
   * resumes the stream ({@code migrate resume=true}). Idempotent while the recovery is set up.
   */
  public IncomingOffer recoverPostcopy(String id) {
    IncomingSide side = owner.find(id);
    side.lock.lock();
    try {
      if (!(side.state() instanceof IncomingState.HandedOver)) {
        throw new AgentException.Conflict(
            "migration " + id + " is " + side.state().label() + " here: no post-copy to recover");
      }
      // The side's hold, or, after an agent restart, the VM's own monitor.
      QmpClient qmp =
          side.handle()
              .filter(IncomingHandle::alive)
              .map(IncomingHandle::qmp)
              .or(() -> vms.liveMonitor(side.vm()))
              .orElseThrow(
                  () ->
                      new AgentException.Gone(
                          "migration "
                              + id
                              + ": the QEMU that runs VM '"
                              + side.vm()
                              + "' is gone"));
      MigrationStatus status = qmp.call(new QueryMigrate()).status();
      if (status == MigrationStatus.POSTCOPY_ACTIVE) {
        CompletableFuture<QmpEvent.Migration> paused =
            qmp.awaitEvent(
                QmpEvent.Migration.class,
                e -> e.status() != MigrationStatus.POSTCOPY_ACTIVE,
                PAUSE_WAIT);
        qmp.call(new MigratePause());
        status = statusOf(paused, qmp);
      }
      String address = listenAddress.orElseThrow();
      switch (status) {
        case POSTCOPY_PAUSED -> {
          String uri = "tcp:" + address + ":" + BandwidthSink.freePort(address);
          qmp.call(new MigrateRecover(uri));
          side.recoveringOn(uri);
          owner.publish(side, "post-copy of " + side.vm() + " broke; listening again on " + uri);
          return new IncomingOffer(side.record().migration(), uri, Optional.empty(), 0);
        }
        case POSTCOPY_RECOVER, POSTCOPY_RECOVER_SETUP -> {
          String uri =
              side.recoveryUri()
                  .orElseThrow(
                      () ->
                          new AgentException.Conflict(
                              "migration " + id + " is recovering from an unknown address"));
          return new IncomingOffer(side.record().migration(), uri, Optional.empty(), 0);
        }
        default ->
            throw new AgentException.Conflict(
                "migration "
                    + id
                    + ": the incoming stream is "
                    + status.name().toLowerCase(Locale.ROOT)
                    + ", not a broken post-copy");
      }
    } finally {
      side.lock.unlock();
    }
  }

  private static MigrationStatus statusOf(
      CompletableFuture<QmpEvent.Migration> event, QmpClient qmp) {
    try {
      return event.get(PAUSE_WAIT.toMillis() + 100, TimeUnit.MILLISECONDS).status();
    } catch (ExecutionException | TimeoutException e) {
      return qmp.call(new QueryMigrate()).status();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return qmp.call(new QueryMigrate()).status();
    } finally {
      event.cancel(false);
    }
  }
}
