package dev.ferry.agent.migration.incoming;

import dev.ferry.agent.AgentException;
import dev.ferry.agent.cluster.LeaseActivation;
import dev.ferry.agent.vm.IncomingHandle;
import dev.ferry.api.IncomingStatus;
import dev.ferry.api.VmInfo;
import dev.ferry.api.VmState;
import dev.ferry.migration.IncomingEvent;
import dev.ferry.migration.IncomingState;
import dev.ferry.qmp.MigrationCommand.QueryMigrate;
import dev.ferry.qmp.MigrationStatus;
import dev.ferry.qmp.QmpEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The takeover half of the destination role: the handover asked by the source (the stream complete
 * or in post-copy, the takeover journalled, the lease activated, then {@code cont}), and the same
 * rule applied to a takeover a restart interrupted. Called by {@link IncomingMigrations} with the
 * side's lock held where it says so.
 */
final class Takeovers {
  private static final Logger log = LoggerFactory.getLogger(Takeovers.class);
  private static final Duration STREAM_END_WAIT = Duration.ofSeconds(2);

  private final IncomingMigrations owner;
  private final DestinationVms vms;
  private final Clock clock;
  private final String hostName;

  Takeovers(IncomingMigrations owner, DestinationVms vms, Clock clock, String hostName) {
    this.owner = owner;
    this.vms = vms;
    this.clock = clock;
    this.hostName = hostName;
  }

  /**
   * Takes the VM over with {@code epoch}: only once the stream is complete, and only with an epoch
   * newer than the one the source owned it with. Idempotent for the same epoch. The takeover is
   * journalled, then the manager must settle the lease here (a refusal means the source took it
   * back: the side is removed; no answer: the guest stays paused, 503, and a retry or the watchdog
   * asks again), and only then does the guest resume here.
   */
  public IncomingStatus handover(String id, long epoch) {
    IncomingSide side = owner.find(id);
    side.lock.lock();
    try {
      switch (side.state()) {
        case IncomingState.HandedOver h -> {
          if (h.epoch() == epoch) {
            return owner.status(side);
          }
          throw new AgentException.Conflict(
              "migration " + id + " was already handed over with epoch " + h.epoch());
        }
        case IncomingState.Discarded d ->
            throw new AgentException.Conflict(
                "migration " + id + " was aborted on " + hostName + ": " + d.why());
        case IncomingState.TakingOver t -> {
          if (t.epoch() != epoch) {
            throw new AgentException.Conflict(
                "migration " + id + " is being taken over with epoch " + t.epoch());
          }
          return finishTakeover(side, epoch);
        }
        case IncomingState.Receiving r -> {}
      }
      IncomingHandle handle = side.handle().orElseThrow();
      requireCompleteStream(side, handle);
      IncomingState.Receiving receiving = (IncomingState.Receiving) side.state();
      side.fire(new IncomingEvent.TakeoverRequested(epoch), clock.instant());
      owner.stopExports(side, handle, receiving);
      return finishTakeover(side, epoch);
    } finally {
      side.lock.unlock();
    }
  }

  private void requireCompleteStream(IncomingSide side, IncomingHandle handle) {
    // The source saw its end of the stream complete (or switch to post-copy) a moment before this
    // end does: wait for this end's MIGRATION event rather than refusing.
    MigrationStatus status =
        statusOnceSettled(
            handle,
            st -> st == MigrationStatus.COMPLETED || st == MigrationStatus.POSTCOPY_ACTIVE,
            STREAM_END_WAIT);
    // In post-copy the device state is here and the memory still streams: the guest may run here
    // now (pulling what it lacks), and must, since the source can no longer run it.
    if (status == MigrationStatus.COMPLETED || status == MigrationStatus.POSTCOPY_ACTIVE) {
      return;
    }
    String text = status.name().toLowerCase(Locale.ROOT);
    if (status.isFinal() || status == MigrationStatus.NONE) {
      throw new AgentException.Conflict(
          "cannot take over VM '" + side.vm() + "': the incoming stream is " + text);
    }
    throw new AgentException.Unavailable(
        "cannot take over VM '"
            + side.vm()
            + "' yet: the incoming stream is "
            + text
            + ", neither completed nor in post-copy");
  }

  /**
   * This end's migration status, waiting up to {@code max} for a {@code MIGRATION} event that
   * satisfies {@code settled} (or ends the stream) when it does not yet.
   */
  private static MigrationStatus statusOnceSettled(
      IncomingHandle handle, Predicate<MigrationStatus> settled, Duration max) {
    CompletableFuture<QmpEvent.Migration> next =
        handle
            .qmp()
            .awaitEvent(
                QmpEvent.Migration.class,
                e -> settled.test(e.status()) || e.status().isFinal(),
                max);
    try {
      MigrationStatus now = handle.qmp().call(new QueryMigrate()).status();
      if (settled.test(now) || now.isFinal() || now == MigrationStatus.NONE) {
        return now;
      }
      try {
        return next.get(max.toMillis() + 100, TimeUnit.MILLISECONDS).status();
      } catch (ExecutionException | TimeoutException e) {
        return handle.qmp().call(new QueryMigrate()).status();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return now;
      }
    } finally {
      next.cancel(false);
    }
  }

  /**
   * The second half of a journalled takeover: the lease, then the guest. Caller holds the side's
   * lock; the side is {@link IncomingState.TakingOver} with {@code epoch}.
   *
   * @throws AgentException.Unavailable when the manager does not answer (the side stays taking
   *     over, the guest paused)
   * @throws AgentException.Conflict when the manager refused the lease (the side is removed)
   */
  IncomingStatus finishTakeover(IncomingSide side, long epoch) {
    String id = side.record().migration().value();
    Optional<IncomingHandle> handle = side.handle().filter(IncomingHandle::alive);
    if (handle.isEmpty()) {
      String why = "the destination QEMU is gone";
      side.fire(new IncomingEvent.TakeoverFailed(why), clock.instant());
      owner.discard(side, why);
      throw new AgentException.Conflict("cannot take over VM '" + side.vm() + "': " + why);
    }
    switch (vms.activateLease(side.vm(), epoch, id)) {
      case LeaseActivation.Activated a -> {}
      case LeaseActivation.Refused r -> {
        side.fire(new IncomingEvent.TakeoverFailed(r.reason()), clock.instant());
        owner.discard(side, r.reason());
        throw new AgentException.Conflict("cannot take over VM '" + side.vm() + "': " + r.reason());
      }
      case LeaseActivation.Unreachable u ->
          throw new AgentException.Unavailable(
              "cannot take over VM '"
                  + side.vm()
                  + "' yet: "
                  + u.reason()
                  + "; its guest stays paused on "
                  + hostName);
    }
    try {
      handle.get().takeOver(epoch);
    } catch (RuntimeException e) {
      // The guest could not resume here (its QEMU was killed and the ownership undone): the lease
      // goes back to the source, which resumes its copy, and this side is removed.
      String why = "the guest could not resume here: " + e.getMessage();
      boolean returned = vms.giveBackLease(side.vm(), side.record().sourceHost(), epoch, id);
      side.fire(new IncomingEvent.TakeoverFailed(why), clock.instant());
      owner.discard(side, why);
      throw new AgentException.Conflict(
          "cannot take over VM '"
              + side.vm()
              + "': "
              + why
              + (returned ? "" : "; the manager has not taken the lease back yet"));
    }
    side.fire(new IncomingEvent.TookOver(), clock.instant());
    owner.publish(side, "took over " + side.vm() + " with epoch " + epoch + "; it runs here now");
    return owner.status(side);
  }

  /**
   * A takeover the journal says had begun (the stream was complete and the source had asked): if
   * this host's VM record shows the ownership it took, it is handed over and its guest resumed if
   * the restart left it paused; otherwise it is finished now, decided by the lease as at a
   * handover. A manager that does not answer leaves it taking over, for the watchdog.
   */
  void recoverTakeover(IncomingSide side, IncomingState.TakingOver t) {
    Instant now = clock.instant();
    if (ownedHere(side.vm(), t.epoch())) {
      side.fire(new IncomingEvent.TookOver(), now);
      owner.publish(
          side, "takeover of " + side.vm() + " with epoch " + t.epoch() + " found complete");
      if (vms.find(side.vm()).map(v -> v.state() == VmState.PAUSED).orElse(false)) {
        try {
          vms.resumeTakenOver(side.vm());
          owner.publish(side, "resumed " + side.vm() + ", left paused by the restart");
        } catch (RuntimeException e) {
          log.error("VM {}: cannot resume after the takeover: {}", side.vm(), e.getMessage());
        }
      }
      return;
    }
    try {
      finishTakeover(side, t.epoch());
      log.warn(
          "Incoming migration {}: takeover finished after the restart", side.record().migration());
    } catch (AgentException.Unavailable e) {
      log.warn(
          "Incoming migration {}: takeover pending after the restart: {}",
          side.record().migration(),
          e.getMessage());
    } catch (RuntimeException e) {
      log.warn(
          "Incoming migration {}: takeover not finished after the restart: {}",
          side.record().migration(),
          e.getMessage());
    }
  }

  private boolean ownedHere(String vm, long epoch) {
    Optional<VmInfo> info = vms.find(vm);
    return info.isPresent() && info.get().owner().equals(hostName) && info.get().epoch() == epoch;
  }
}
