package dev.ferry.agent.migration.outgoing;

import dev.ferry.common.DataRate;
import dev.ferry.migration.MigrationProblem;
import dev.ferry.qmp.MigrationStatus;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** What a migration's inbox carries: requests from other threads, QEMU events, and faults. */
sealed interface Signal {
  /** An operator's abort; {@code accepted} completes with whether the migration took it. */
  record Abort(String reason, CompletableFuture<Boolean> accepted) implements Signal {}

  /** A new bandwidth cap, applied live. */
  record Bandwidth(DataRate rate) implements Signal {}

  /** The source QEMU's migration status changed ({@code MIGRATION} event). */
  record Qemu(MigrationStatus status) implements Signal {}

  /** QEMU began another pass over dirty memory ({@code MIGRATION_PASS}). */
  record Pass(long pass) implements Signal {}

  /** Something outside the runner saw the migration break (the keepalive, say). */
  record Fault(MigrationProblem problem) implements Signal {}

  /** A block job caught up and now follows the guest's writes. */
  record JobReady(String job) implements Signal {}

  /** A block job ended: completed (error empty), failed (error), or was cancelled. */
  record JobEnded(String job, Optional<String> error, boolean cancelled) implements Signal {}

  /** A block job hit an I/O error. */
  record JobError(String job, String operation) implements Signal {}
}
