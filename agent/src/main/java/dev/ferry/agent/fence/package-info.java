/**
 * The lease fence: this host's running VMs checked against the manager's leases, a copy without the
 * lease paused at once and killed once its owner runs it, a handover from here left unsettled
 * reclaimed. Uses the manager link ({@code cluster}) and the VMs ({@code vm}); nothing depends on
 * it but the agent that schedules it.
 */
package dev.ferry.agent.fence;
