package dev.ferry.agent.migration.outgoing;

import dev.ferry.migration.MigrationEvent;
import dev.ferry.migration.MigrationPhase;
import dev.ferry.migration.MigrationProblem;
import dev.ferry.migration.MigrationState;
import dev.ferry.migration.Plan;
import java.io.IOException;
import java.nio.file.Files;

/**
 * Cleanup: the destination owns and runs the VM. The source QEMU quits, its taps go, the VM is
 * forgotten here, and the source copies of migrated disks are removed (unless kept). Idempotent, so
 * a restart during cleanup simply runs it again; a problem here is a warning, never a rollback.
 */
final class CleanupPhase {
  Step run(PhaseContext ctx, MigrationState.Cleanup state) {
    try {
      ctx.handle().release(ctx.destHost(), state.epoch());
      ctx.host().vms().forgetMigratedAway(ctx.vm());
      for (Plan.DiskCopy c : state.plan().copies()) {
        if (ctx.settings().keepSource()) {
          ctx.journal().note("kept the source copy of " + c.disk().id() + " at " + c.disk().path());
        } else {
          Files.deleteIfExists(c.disk().path());
          ctx.journal()
              .note("removed the source copy of " + c.disk().id() + " at " + c.disk().path());
        }
      }
      ctx.journal().enterPhase(MigrationPhase.CLEANUP);
      return new Step(new MigrationEvent.CleanedUp(), "source QEMU and host resources released");
    } catch (RuntimeException | IOException e) {
      ctx.journal().warn("cleanup on " + ctx.host().hostName() + ": " + e.getMessage());
      return new Step(
          new MigrationEvent.Fault(new MigrationProblem.Unexpected(e.getMessage())),
          "cleanup problem: " + e.getMessage());
    }
  }
}
