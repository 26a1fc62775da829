package dev.ferry.agent.cluster;

/**
 * What came of asking the manager to settle the lease a handover moved to this host, before the
 * guest resumes here. Only {@link Activated} lets the destination run it.
 */
public sealed interface LeaseActivation {
  /** Settled (or no manager is bound: the agents' journals decide): the guest may run here. */
  record Activated() implements LeaseActivation {}

  /** Refused: the source took the lease back, or it was never this host's. */
  record Refused(String reason) implements LeaseActivation {}

  /** The manager did not answer; the guest stays paused here until it does. */
  record Unreachable(String reason) implements LeaseActivation {}
}
