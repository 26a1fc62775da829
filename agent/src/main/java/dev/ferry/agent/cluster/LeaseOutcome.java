package dev.ferry.agent.cluster;

/** What came of asking the manager to move a VM's lease at a handover. */
public sealed interface LeaseOutcome {
  /** The manager moved the lease (or no manager is bound: the agents' epochs decide alone). */
  record Moved() implements LeaseOutcome {}

  /** The manager refused: the lease is not this host's to give. */
  record Refused(String reason) implements LeaseOutcome {}

  /** The manager did not answer in time; whether the lease moved is not known. */
  record Unconfirmed(String reason) implements LeaseOutcome {}
}
