package dev.ferry.manager.leases;

import dev.ferry.api.Lease;
import dev.ferry.api.VmState;
import dev.ferry.common.ByteSize;
import dev.ferry.manager.store.EventLog;
import dev.ferry.manager.store.VmStore;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lease ledger: the only code in the manager that changes which host may run a VM and at which
 * epoch. It grants, moves by compare-and-set and withdraws leases, logs each decision and records
 * it as a manager event with its {@link LeaseCause}. Thread-safe: every change is one database
 * transaction; the compare-and-set is the database's.
 */
public final class Leases {
  private static final Logger log = LoggerFactory.getLogger(Leases.class);

  private final VmStore store;
  private final EventLog events;
  private final Clock clock;

  public Leases(VmStore store, EventLog events, Clock clock) {
    this.store = store;
    this.events = events;
    this.clock = clock;
  }

  /**
   * A VM to grant a lease for, with what the inventory keeps about it.
   *
   * @param epoch the epoch the host holds it at (0 for a VM not created yet)
   */
  public record Grant(
      String vm,
      String host,
      long epoch,
      VmState state,
      int vcpus,
      ByteSize memory,
      Set<String> antiAffinity) {}

  public Optional<Lease> current(String vm) {
    return store.find(vm).map(VmStore.Row::lease);
  }

  /** Grants a lease for a VM the inventory does not know; refused if it knows it already. */
  public LeaseDecision.OfGrant grant(Grant g, LeaseCause cause) {
    Instant now = clock.instant();
    boolean granted =
        store.grant(
            g.vm(), g.host(), g.epoch(), g.state(), g.vcpus(), g.memory(), g.antiAffinity(), now);
    if (!granted) {
      Lease held = current(g.vm()).orElseThrow();
      log.info(
          "Lease of VM '{}' not granted to {} ({}): {} holds it at epoch {}",
          g.vm(),
          g.host(),
          cause.text(),
          held.host(),
          held.epoch());
      return new LeaseDecision.Conflict(held);
    }
    events.record(
        "lease-granted",
        g.vm(),
        "to " + g.host() + " at epoch " + g.epoch() + " (" + cause.text() + ")");
    return new LeaseDecision.Granted(Lease.active(g.vm(), g.host(), g.epoch(), now));
  }

  /**
   * Sets the epoch its holder reports for a VM just granted (the agent numbers the first epoch when
   * it creates the VM); nothing changes if {@code host} does not hold the lease.
   */
  public void confirmEpoch(String vm, String host, long epoch) {
    store.setEpoch(vm, host, epoch);
    log.info("Lease of VM '{}' on {}: epoch {} confirmed by the agent", vm, host, epoch);
  }

  /**
   * Moves a lease from ({@code from}, {@code epoch}) to ({@code to}, {@code epoch + 1}) if that is
   * what it is now. Repeating a move that already happened answers {@link
   * LeaseDecision.Transferred} with {@code now == false}, so a lost reply can be retried.
   *
   * @param why the migration (or other context) asking, for the record
   */
  public LeaseDecision.OfTransfer transfer(
      String vm, String from, String to, long epoch, LeaseCause cause, String why) {
    VmStore.Cas cas = store.transfer(vm, from, to, epoch, clock.instant());
    if (cas.after().isEmpty()) {
      log.warn("Lease transfer of unknown VM '{}' refused ({}, {})", vm, cause.text(), why);
      return new LeaseDecision.Unknown(vm);
    }
    Lease after = cas.after().get();
    if (!after.host().equals(to) || after.epoch() != epoch + 1) {
      events.record(
          "lease-refused",
          vm,
          "move "
              + from
              + " → "
              + to
              + " at epoch "
              + epoch
              + " refused: "
              + after.host()
              + " holds it at epoch "
              + after.epoch()
              + " ("
              + cause.text()
              + ", "
              + why
              + ")");
      return new LeaseDecision.Conflict(after);
    }
    if (cas.moved()) {
      events.record(
          "lease-moved",
          vm,
          from
              + " → "
              + to
              + " at epoch "
              + after.epoch()
              + " ("
              + why
              + ", "
              + cause.text()
              + ")");
    } else {
      log.info(
          "Lease of VM '{}' already moved {} → {} at epoch {} ({}, {})",
          vm,
          from,
          to,
          after.epoch(),
          cause.text(),
          why);
    }
    return new LeaseDecision.Transferred(after, cas.moved());
  }

  /**
   * Settles a lease pending at ({@code host}, {@code epoch}): the destination of a handover asks it
   * before it resumes the guest. Refused once the source {@linkplain #reclaim reclaimed} it;
   * repeating it once settled answers {@link LeaseDecision.Activated} with {@code now == false}.
   */
  public LeaseDecision.OfActivate activate(String vm, String host, long epoch, String why) {
    VmStore.Cas cas = store.activate(vm, host, epoch);
    if (cas.after().isEmpty()) {
      log.warn("Lease activation of unknown VM '{}' refused ({})", vm, why);
      return new LeaseDecision.Unknown(vm);
    }
    Lease after = cas.after().get();
    if (!after.activeAt(host, epoch)) {
      events.record(
          "lease-refused",
          vm,
          "activation by "
              + host
              + " at epoch "
              + epoch
              + " refused: "
              + describe(after)
              + " ("
              + why
              + ")");
      return new LeaseDecision.Conflict(after);
    }
    if (cas.moved()) {
      events.record("lease-activated", vm, host + " runs it at epoch " + epoch + " (" + why + ")");
    }
    return new LeaseDecision.Activated(after, cas.moved());
  }

  /**
   * Takes back a lease moved from {@code from} to {@code to} at {@code epoch + 1} that {@code to}
   * has not activated: it becomes ({@code from}, {@code epoch + 2}), so the source may resume the
   * guest and a destination that still tries to activate is refused. Repeating it answers {@link
   * LeaseDecision.Reclaimed} with {@code now == false}; a lease that never moved (still {@code
   * from}'s at {@code epoch}) is answered as reclaimed too, since the source may resume it.
   */
  public LeaseDecision.OfReclaim reclaim(
      String vm, String from, String to, long epoch, String why) {
    VmStore.Cas cas = store.reclaim(vm, from, to, epoch + 1, clock.instant());
    if (cas.after().isEmpty()) {
      log.warn("Lease reclaim of unknown VM '{}' refused ({})", vm, why);
      return new LeaseDecision.Unknown(vm);
    }
    Lease after = cas.after().get();
    boolean back = after.activeAt(from, epoch + 2) || (!cas.moved() && after.activeAt(from, epoch));
    if (!back) {
      events.record(
          "lease-refused",
          vm,
          "reclaim by "
              + from
              + " from "
              + to
              + " at epoch "
              + (epoch + 1)
              + " refused: "
              + describe(after)
              + " ("
              + why
              + ")");
      return new LeaseDecision.Conflict(after);
    }
    if (cas.moved()) {
      events.record(
          "lease-reclaimed",
          vm,
          to + " → " + from + " at epoch " + after.epoch() + ": handover failed (" + why + ")");
    }
    return new LeaseDecision.Reclaimed(after, cas.moved());
  }

  /**
   * The destination of a handover activated the lease but could not resume the guest (its QEMU
   * failed at {@code cont} and was killed): it gives the lease back, ({@code from}, {@code epoch})
   * becoming ({@code to}, {@code epoch + 1}), so that the source's reclaim finds it back and the
   * source resumes. Idempotent: a repeat answers the lease as the first call left it.
   */
  public LeaseDecision.OfReclaim giveBack(
      String vm, String from, String to, long epoch, String why) {
    VmStore.Cas cas = store.giveBack(vm, from, to, epoch, clock.instant());
    if (cas.after().isEmpty()) {
      return new LeaseDecision.Unknown(vm);
    }
    Lease after = cas.after().get();
    if (!after.activeAt(to, epoch + 1)) {
      events.record(
          "lease-refused",
          vm,
          "give-back by "
              + from
              + " at epoch "
              + epoch
              + " refused: "
              + describe(after)
              + " ("
              + why
              + ")");
      return new LeaseDecision.Conflict(after);
    }
    if (cas.moved()) {
      events.record(
          "lease-returned",
          vm,
          from + " → " + to + " at epoch " + after.epoch() + ": the takeover failed (" + why + ")");
    }
    return new LeaseDecision.Reclaimed(after, cas.moved());
  }

  private static String describe(Lease l) {
    return l.host()
        + " holds it at epoch "
        + l.epoch()
        + l.pendingFrom().map(f -> ", pending from " + f).orElse("");
  }

  /** Removes a VM and its lease from the inventory. */
  public LeaseDecision.OfWithdraw withdraw(String vm, LeaseCause cause, String why) {
    Optional<Lease> last = current(vm);
    if (last.isEmpty()) {
      return new LeaseDecision.Unknown(vm);
    }
    store.delete(vm);
    events.record(
        "lease-withdrawn",
        vm,
        "from "
            + last.get().host()
            + " at epoch "
            + last.get().epoch()
            + " ("
            + cause.text()
            + ": "
            + why
            + ")");
    return new LeaseDecision.Withdrawn(last.get());
  }
}
