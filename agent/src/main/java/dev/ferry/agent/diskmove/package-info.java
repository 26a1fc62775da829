/**
 * The storage-only move of a running VM's disk to another directory of this host's storage roots
 * (what vSphere calls Storage vMotion). The VM is held like a migrating one while it runs.
 *
 * <pre>
 *  thin target ─▶ blockdev-mirror ─BLOCK_JOB_READY→ block-job-complete (pivot) ─BLOCK_JOB_COMPLETED→
 *  definition updated ─▶ old nodes deleted ─▶ old image removed (unless kept)
 *  any failure before the pivot: job cancelled, target removed, the VM stays on its old disk
 * </pre>
 */
package dev.ferry.agent.diskmove;
