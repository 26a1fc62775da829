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
    return new LeaseDecision.Granted(new Lease(g.vm(), g.host(), g.epoch(), now));
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
