package dev.ferry.agent.cluster;

import dev.ferry.api.Lease;
import java.util.Optional;

/**
 * What came of asking the manager to take back a lease that moved at a handover that then failed.
 * Only {@link Reclaimed} lets the source resume the guest.
 */
public sealed interface LeaseReclaim {
  /** No manager is bound: the two agents settle the handover between them. */
  record NoManager() implements LeaseReclaim {}

  /** The lease is this host's again, settled at {@code epoch}: the source may resume the guest. */
  record Reclaimed(long epoch) implements LeaseReclaim {}

  /**
   * Refused: {@code current} holds the lease (empty when the manager no longer knows the VM). If it
   * is the destination's, settled, the destination runs the guest.
   */
  record HeldElsewhere(Optional<Lease> current, String reason) implements LeaseReclaim {}

  /** The manager did not answer; whether it would give the lease back is not known yet. */
  record Unreachable(String reason) implements LeaseReclaim {}
}
