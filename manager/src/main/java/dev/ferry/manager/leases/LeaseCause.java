package dev.ferry.manager.leases;

import java.util.Locale;

/** Why a lease is granted, moved or withdrawn; recorded with each decision. */
public enum LeaseCause {
  /** An operator created the VM; the lease goes to the host placement chose. */
  VM_CREATED,
  /** The agent refused to create the VM, so the lease granted for it is taken back. */
  CREATE_FAILED,
  /** A heartbeat found a running VM the inventory did not know; its host gets the lease. */
  ADOPTED,
  /** The source agent moves the lease at handover ({@code POST /v1/leases/{vm}/transfer}). */
  HANDOVER,
  /** The queue saw the migration completed and commits the move if the handover's was lost. */
  MIGRATION_COMPLETED,
  /** The lease holder no longer lists the VM. */
  VANISHED;

  public String text() {
    return name().toLowerCase(Locale.ROOT).replace('_', ' ');
  }
}
