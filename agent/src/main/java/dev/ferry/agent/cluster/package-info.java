/**
 * The agent's side of the manager: whether this host is bound to a manager, the lease check before
 * a VM is started or resumed, and the lease transfer at a migration's handover.
 *
 * <pre>
 *   unbound ──PUT /v1/manager──▶ bound(url)   (persisted as manager.json, a versioned state file)
 *   bound: start/resume VM  ⇒ GET  manager/v1/leases/VM   must name this host, else refused
 *          handover of VM    ⇒ POST manager/v1/leases/VM/transfer (from, to, epoch) before the
 *                              destination is told to resume; no confirmation ⇒ rollback
 * </pre>
 */
package dev.ferry.agent.cluster;
