package dev.ferry.agent.migration.outgoing;

/**
 * What the source side needs to finish or undo a migration after an agent restart.
 *
 * @param id migration id
 * @param vm VM name
 * @param destinationHost destination host name
 * @param destinationAgent destination agent URL
 * @param wasRunning whether the guest ran when the migration began
 * @param epoch the VM's epoch before handover
 */
record OutgoingNotes(
    String id,
    String vm,
    String destinationHost,
    String destinationAgent,
    boolean wasRunning,
    long epoch) {}
