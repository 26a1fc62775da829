package dev.ferry.lab.demo;

import dev.ferry.api.AgentClient;
import dev.ferry.api.MigrationFollower;
import dev.ferry.api.MigrationRequest;
import dev.ferry.lab.testbed.GuestImageDir;
import dev.ferry.lab.testbed.OutageProbe;
import dev.ferry.lab.testbed.ProbeResult;
import dev.ferry.lab.testbed.Testbed;
import dev.ferry.lab.testbed.TestbedException;
import dev.ferry.migration.MigrationRecord;
import dev.ferry.migration.MigrationSettings;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One live migration on the testbed while the client namespace probes the guest every millisecond;
 * the outage it measured is reported to the source agent, which records it with the migration. Used
 * by {@code ferry-lab demo} and {@code ferry-lab migrate}.
 */
public final class ProbedMigration {
  /** Longer than any time budget; the agent ends a migration long before. */
  private static final Duration WAIT_LIMIT = Duration.ofHours(1);

  private ProbedMigration() {}

  /**
   * Migrates {@code vm} from the host {@code source} talks to, to testbed host {@code to}, probing
   * {@code guestIp}; {@code onUpdate} sees each record as the agent's events report it. Returns the
   * final record with the outage.
   */
  public static MigrationRecord run(
      Testbed tb,
      AgentClient source,
      String vm,
      String guestIp,
      String to,
      MigrationSettings settings,
      Consumer<MigrationRecord> onUpdate) {
    MigrationRecord r;
    ProbeResult p;
    try (OutageProbe probe =
        OutageProbe.start(
            tb, GuestImageDir.probeTool(), guestIp, Duration.ofMillis(1), Duration.ofSeconds(30))) {
      MigrationRecord started =
          source.migrate(
              vm,
              new MigrationRequest(
                  to, tb.host(to).plan().agentUrl().toString(), Optional.of(settings)));
      try {
        r = MigrationFollower.awaitEnd(source, started.id().value(), WAIT_LIMIT, onUpdate);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TestbedException("follow migration " + started.id(), "interrupted", e);
      }
      p = probe.stop();
    }
    return source.reportOutage(r.id().value(), Math.round(p.outageMs()));
  }
}
