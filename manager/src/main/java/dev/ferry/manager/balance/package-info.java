/**
 * Where VMs should run: load balancing (like VMware DRS), maintenance-mode evacuation and initial
 * placement. Pure logic over a {@link dev.ferry.manager.balance.ClusterSnapshot}; no I/O. The
 * manager feeds it measured loads and applies (or shows) what it returns.
 *
 * <h2>Model</h2>
 *
 * A host's load is max(CPU used / cores, memory committed / memory): the scarcer resource limits
 * it. The cluster's imbalance is the standard deviation of load over schedulable hosts. VMs move
 * only between hosts of equal compatibility class, never to an unschedulable host, and never so
 * that a host commits more than 95 % of its memory ({@link
 * dev.ferry.manager.balance.HostLoad#MEMORY_HEADROOM}). CPU is not a hard limit (hosts overcommit
 * it); it only raises load. Affinity, anti-affinity and mandatory host groups are never broken;
 * preferred host groups are followed where possible and never left by a balancing move.
 *
 * <h2>Balancing pass ({@link dev.ferry.manager.balance.Balancer})</h2>
 *
 * <pre>
 *  snapshot ─► working model (per-host sums, hosts sorted by load per class, rule index)
 *     1. rule fixes, whatever their benefit: mandatory host groups, anti-affinity,
 *        split affinity groups, then preferred host groups
 *     2. greedy: repeat { best move = max over (VM or affinity group on a hot host,
 *                                            cool admissible host) of benefit − cost
 *                         stop if below the aggressiveness threshold or out of moves
 *                         apply it to the model }
 *  ─► plan: moves in order, imbalance before/after, notes
 * </pre>
 *
 * A move's benefit is the drop in Σ(load − mean)² over schedulable hosts (hosts × variance, which
 * unlike the standard deviation does not shrink with cluster size); its cost is the estimated
 * migration time, memory / (link rate − dirty rate), at 0.0005 per second. Affinity groups move
 * only as a whole, to one host. A VM moved within the no-repeat window is not moved again, and no
 * VM goes back along a path (to → from) another VM took within the window or the pass, so applying
 * a plan and planning again never undoes it; within a pass no host both gives and takes VMs. Each
 * greedy step looks only at the most loaded hosts of each class and, for their VMs, the least
 * loaded admissible hosts, through load-sorted indexes: a step's cost does not grow with the
 * cluster.
 *
 * <h2>Evacuation and placement</h2>
 *
 * {@link dev.ferry.manager.balance.Evacuation} places every VM of a host going into maintenance,
 * largest first, each on the least loaded host that can take it, and orders the moves longest
 * first; VMs that cannot go anywhere are listed with the reason. {@link
 * dev.ferry.manager.balance.Placement} picks a new VM's host the same way and, when none fits, says
 * what each host lacked.
 */
package dev.ferry.manager.balance;
