/**
 * Maintenance mode: a host entering it becomes unschedulable at once, its VMs are planned
 * (placement-aware, largest first) and queued as migrations, and one line per VM says where it went
 * or why it could not. No VM is ever stopped.
 *
 * <pre>
 *   none ──enter──▶ entering ──last move ended, host empty──▶ in-maintenance ──exit──▶ none
 *                        └──some VM could not move: stays entering, lines say why
 * </pre>
 */
package dev.ferry.manager.maintenance;
