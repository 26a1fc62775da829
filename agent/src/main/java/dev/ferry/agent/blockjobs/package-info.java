/**
 * Block jobs, the unit Ferry's disk copies are made of: the NBD target node on the destination's
 * export, the full mirror that follows the guest's writes until it is ready, the completion at the
 * switchover (a cancel of a ready mirror: the copy stays consistent and the source keeps its disk),
 * and the forced cancellation of a rollback. Used by the outgoing migration's disk phases and by
 * the storage-only move.
 *
 * <pre>
 *  addNbdTarget(nbd-DISK) → mirror(mirror-DISK) ─BLOCK_JOB_READY→ (follows writes)
 *     ├─ complete() at switchover ─BLOCK_JOB_COMPLETED→ deleteNode(nbd-DISK)
 *     └─ forceCancel() on rollback ─BLOCK_JOB_CANCELLED→ deleteNode(nbd-DISK)
 * </pre>
 */
package dev.ferry.agent.blockjobs;
