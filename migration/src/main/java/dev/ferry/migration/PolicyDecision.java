package dev.ferry.migration;

import java.time.Duration;

/** What the convergence policy wants done now. */
public sealed interface PolicyDecision {
  /** Nothing to change. */
  record Continue() implements PolicyDecision {}

  /** Raise (or set) QEMU's downtime limit. */
  record SetDowntimeLimit(Duration limit, String reason) implements PolicyDecision {}

  /** Switch to post-copy now (only offered when the request allowed it). */
  record StartPostcopy(String reason) implements PolicyDecision {}

  /** Give up: cancel the migration and keep the VM on the source. */
  record Abort(String reason) implements PolicyDecision {}
}
