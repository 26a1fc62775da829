/**
 * The cluster's VMs as the manager sees them: creating one (placement, then a lease granted through
 * {@code manager.leases}, then the definition on the chosen agent, the lease withdrawn if the agent
 * refuses) and answering the agents' lease-transfer requests at handover by passing them to the
 * lease ledger.
 */
package dev.ferry.manager.vms;
