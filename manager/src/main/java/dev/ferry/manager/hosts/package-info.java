/**
 * The cluster's hosts: adding and removing them ({@link dev.ferry.manager.hosts.HostService}, which
 * binds an added agent to this manager), heartbeats that record each host's facts, load and VMs and
 * mark a silent host unreachable ({@link dev.ferry.manager.hosts.HostMonitor}: all hosts in
 * parallel; an unknown running VM is adopted through {@code manager.leases}), and the shared
 * clients to the agents ({@link dev.ferry.manager.hosts.AgentPool}). Each host's agent event stream
 * is followed ({@link dev.ferry.manager.hosts.HostWatch}): an event brings that host's heartbeat at
 * once; the periodic heartbeat is the fallback and the load sampler.
 *
 * <pre>
 *   added ──▶ up ──no answer──▶ unreachable
 *              ▲                    │
 *              └───heartbeat ok─────┘
 * </pre>
 */
package dev.ferry.manager.hosts;
