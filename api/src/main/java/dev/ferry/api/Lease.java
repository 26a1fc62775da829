package dev.ferry.api;

import java.time.Instant;
import java.util.Optional;

/**
 * The manager's grant that one host may run one VM. Exactly one host holds a VM's lease; each
 * handover moves it and adds one to the epoch, so a copy left behind with an older epoch is fenced.
 *
 * <p>A lease moved at handover is first <em>pending</em>: {@code host} holds it but may not run the
 * guest until it {@linkplain ManagerRoutes#ACTIVATE_LEASE activates} it, and until then the host it
 * came from may {@linkplain ManagerRoutes#RECLAIM_LEASE reclaim} it. Both are compare-and-sets, so
 * exactly one of them wins: the destination resumes only after activating, the source only after
 * reclaiming — never both.
 *
 * @param vm the VM's name
 * @param host the only host that may start or resume it
 * @param epoch raised by one at each move
 * @param since when this host got it
 * @param pendingFrom while the handover is not settled: the host the lease came from
 */
public record Lease(
    String vm, String host, long epoch, Instant since, Optional<String> pendingFrom) {
  public Lease {
    pendingFrom = pendingFrom == null ? Optional.empty() : pendingFrom;
  }

  /** A settled lease: {@code host} may run the VM. */
  public static Lease active(String vm, String host, long epoch, Instant since) {
    return new Lease(vm, host, epoch, since, Optional.empty());
  }

  /** Whether {@code host} may run the VM now (not only hold it pending a handover). */
  public boolean active() {
    return pendingFrom.isEmpty();
  }

  /** Whether {@code host} holds it, settled, at exactly {@code epoch}. */
  public boolean activeAt(String host, long epoch) {
    return active() && this.host.equals(host) && this.epoch == epoch;
  }
}
