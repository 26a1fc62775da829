package dev.ferry.agent.migration.outgoing;

import dev.ferry.common.DataRate;
import dev.ferry.migration.MigrationPhase;
import dev.ferry.qmp.MigrationInfo;
import java.time.Duration;

/**
 * Once the stream completed: QEMU's downtime and byte counts go into the record, and the host's
 * estimates learn the first pass's speed and the stream's rate from them.
 */
final class StreamStats {
  private StreamStats() {}

  static void collect(PhaseContext ctx, CopyClock clock) {
    record(ctx, clock);
    ctx.journal().enterPhase(MigrationPhase.HANDOVER);
  }

  /** The figures only: for a post-copy stream, which completes after the handover. */
  static void record(PhaseContext ctx, CopyClock clock) {
    MigrationInfo info = ctx.queryMigrate();
    ctx.journal()
        .update(
            r ->
                r.withStream(
                    info.downtime(),
                    info.ram().map(MigrationInfo.Stats::transferred),
                    info.ram().map(MigrationInfo.Stats::dirtySyncCount).orElse(0L)));
    info.ram()
        .ifPresent(
            st -> {
              Duration total = info.totalTime().orElse(Duration.ZERO);
              ctx.host()
                  .estimates()
                  .observeStream(
                      DataRate.of(st.total(), clock.firstPass(total)),
                      st.throughput().bytesPerSecond() > 0 ? st.throughput() : DataRate.ZERO);
            });
  }
}
