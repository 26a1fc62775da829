/**
 * Where VM images may live and what is done with them in place: the storage roots every path must
 * stay inside, image sizes (for preflight's room check), the block node a live disk reads from, and
 * the storage-only move of a running VM's disk (mirror, pivot, old image removed).
 *
 * <pre>
 *  DiskMover:  thin target ─▶ blockdev-mirror ─BLOCK_JOB_READY→ block-job-complete (pivot)
 *              ─▶ definition updated ─▶ old image removed          (any failure: cancel, remove target)
 * </pre>
 */
package dev.ferry.agent.storage;
