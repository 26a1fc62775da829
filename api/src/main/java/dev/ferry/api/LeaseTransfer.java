package dev.ferry.api;

/**
 * Asks the manager to move a VM's lease at handover: a compare-and-set from ({@code from}, {@code
 * epoch}) to ({@code to}, {@code epoch + 1}). Repeating a transfer that already happened answers
 * with the moved lease, so a lost reply can be retried.
 *
 * @param from the host that holds the lease now (the source)
 * @param to the host that gets it (the destination)
 * @param epoch the epoch the source holds
 * @param migration the migration doing the handover, for the record
 */
public record LeaseTransfer(String from, String to, long epoch, String migration) {}
