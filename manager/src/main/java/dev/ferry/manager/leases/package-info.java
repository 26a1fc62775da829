/**
 * Who owns a VM: the lease ledger, the only writer of a VM's lease (host, epoch) in the manager.
 *
 * <p>A lease says which one host may start or resume a VM. Agents obey it (they ask before start
 * and resume, and fence a copy whose epoch is older); the manager's {@code vms} row is the truth,
 * and {@link dev.ferry.manager.leases.Leases} is the only class that writes its host or epoch (a
 * layering test in this module checks that no other class calls the store's lease-writing methods).
 *
 * <pre>
 *                 grant (VM created / running VM adopted by a heartbeat)
 *   (no lease) ─────────────────────────────────────────────────────▶ held(host A, epoch e)
 *        ▲                                                                 │
 *        │ withdraw (create refused by the agent / holder stopped          │ transfer: compare-and-set
 *        │           listing the VM; never a pending lease)                │ (A, e) → (B, e + 1)
 *        │                                                                 ▼
 *        │                                              pending(host B, e + 1, from A)
 *        │                       activate (B, before its cont) │        │ reclaim (A, after a
 *        │                                                     ▼        ▼ failed handover)
 *        └────────────────────────────── held(host B, e + 1)      held(host A, e + 2)
 * </pre>
 *
 * <p>Activate and reclaim are compare-and-sets on the same pending row, so exactly one of them
 * wins: the destination resumes the guest only after activating, the source only after reclaiming.
 * Both are idempotent (a repeat answers the lease as the first call left it). A reclaim of a move
 * that never happened (the transfer's reply was lost before it arrived) answers the source's lease
 * as it is. A pending lease holder may not start or resume the VM by any other route (an agent's
 * lease check requires a settled lease).
 *
 * <p>Where the lease is committed: at handover. The source agent's migration, once the destination
 * runs the guest, calls {@code POST /v1/leases/{vm}/transfer} (ManagerRoutes.TRANSFER_LEASE, served
 * by {@code http.ClusterVmRoutes} → {@code vms.ClusterVms.transfer} → {@link
 * dev.ferry.manager.leases.Leases#transfer}). The move is a compare-and-set in one database
 * transaction; repeating it after it happened answers with the moved lease, so the agent may retry
 * a lost reply. When the queue's follower sees the migration {@code Completed}, it commits the same
 * move again ({@link dev.ferry.manager.leases.LeaseCause#MIGRATION_COMPLETED}): a no-op if the
 * handover's call arrived, the move itself if it was lost.
 *
 * <p>Every decision is logged and recorded as a manager event: {@code lease-granted}, {@code
 * lease-moved}, {@code lease-activated}, {@code lease-reclaimed}, {@code lease-refused} (a
 * compare-and-set that did not match, with the lease as it is), {@code lease-withdrawn}; each names
 * its {@link dev.ferry.manager.leases.LeaseCause}.
 */
package dev.ferry.manager.leases;
