package dev.ferry.api;

/**
 * Asks the manager to move a VM's lease at handover: a compare-and-set from ({@code from}, {@code
 * epoch}) to ({@code to}, {@code epoch + 1}), pending until the destination activates it. Repeating
 * a transfer that already happened answers with the moved lease, so a lost reply can be retried.
 * The same message asks to {@linkplain ManagerRoutes#RECLAIM_LEASE reclaim} that move when the
 * handover failed: ({@code to}, {@code epoch + 1}, pending from {@code from}) becomes ({@code
 * from}, {@code epoch + 2}).
 *
 * @param from the host that holds the lease now (the source)
 * @param to the host that gets it (the destination)
 * @param epoch the epoch the source holds
 * @param migration the migration doing the handover, for the record
 */
public record LeaseTransfer(String from, String to, long epoch, String migration) {}
