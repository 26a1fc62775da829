package dev.ferry.manager.leases;

import dev.ferry.api.Lease;

/**
 * What {@link Leases} decided about one request. Each operation answers with its own sealed
 * subfamily, so callers switch exhaustively over exactly the outcomes that operation can have.
 */
public sealed interface LeaseDecision {

  /** The outcomes of {@link Leases#grant}. */
  sealed interface OfGrant extends LeaseDecision permits Granted, Conflict {}

  /** The outcomes of {@link Leases#transfer}. */
  sealed interface OfTransfer extends LeaseDecision permits Transferred, Conflict, Unknown {}

  /** The outcomes of {@link Leases#activate}. */
  sealed interface OfActivate extends LeaseDecision permits Activated, Conflict, Unknown {}

  /** The outcomes of {@link Leases#reclaim}. */
  sealed interface OfReclaim extends LeaseDecision permits Reclaimed, Conflict, Unknown {}

  /** The outcomes of {@link Leases#withdraw}. */
  sealed interface OfWithdraw extends LeaseDecision permits Withdrawn, Unknown {}

  /** A new VM's lease, now held by {@code lease.host()}. */
  record Granted(Lease lease) implements OfGrant {}

  /**
   * The lease moved by compare-and-set.
   *
   * @param lease the lease after the move
   * @param now false when an earlier identical request had already moved it (a retried handover)
   */
  record Transferred(Lease lease, boolean now) implements OfTransfer {}

  /**
   * The pending lease is settled: its holder may run the VM.
   *
   * @param now false when it was settled already (a retried activation)
   */
  record Activated(Lease lease, boolean now) implements OfActivate {}

  /**
   * The pending lease is back with the host it came from, at a new epoch.
   *
   * @param now false when an earlier identical request had already taken it back
   */
  record Reclaimed(Lease lease, boolean now) implements OfReclaim {}

  /** Refused: the lease is not what the request assumed; {@code current} is what it is. */
  record Conflict(Lease current) implements OfGrant, OfTransfer, OfActivate, OfReclaim {}

  /** The VM's lease is gone from the inventory; {@code last} is what it was. */
  record Withdrawn(Lease last) implements OfWithdraw {}

  /** The inventory knows no VM of that name. */
  record Unknown(String vm) implements OfTransfer, OfActivate, OfReclaim, OfWithdraw {}
}
