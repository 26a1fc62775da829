package dev.ferry.manager.metrics;

import dev.ferry.api.ClusterHost;
import dev.ferry.api.ClusterMigration;
import dev.ferry.migration.MigrationRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The manager's Prometheus metrics ({@code GET /metrics}): migrations by outcome, duration and
 * outage histograms, bytes processed and remaining, dirty rate, queue length, host load.
 * Thread-safe.
 */
public final class ManagerMetrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final DistributionSummary duration;
  private final DistributionSummary outage;
  private final Counter bytes;
  private final Map<String, double[]> running = new ConcurrentHashMap<>();
  private final Map<String, double[]> hostLoad = new ConcurrentHashMap<>();

  public ManagerMetrics(Supplier<List<ClusterMigration>> active) {
    duration =
        DistributionSummary.builder("ferry_migration_duration_seconds")
            .description("Duration of completed live migrations")
            .serviceLevelObjectives(1, 2, 5, 10, 20, 30, 60, 120, 300)
            .register(registry);
    outage =
        DistributionSummary.builder("ferry_migration_outage_seconds")
            .description("Longest gap a probe saw (or QEMU's downtime without a probe)")
            .serviceLevelObjectives(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5)
            .register(registry);
    bytes =
        Counter.builder("ferry_migration_bytes_processed_total")
            .description("Bytes carried by finished migrations")
            .register(registry);
    Gauge.builder(
            "ferry_migration_queue_length",
            active,
            a -> a.get().stream().filter(m -> m.status() == ClusterMigration.Status.QUEUED).count())
        .description("Migrations waiting in the queue")
        .register(registry);
    Gauge.builder(
            "ferry_migrations_running",
            active,
            a ->
                a.get().stream().filter(m -> m.status() == ClusterMigration.Status.RUNNING).count())
        .register(registry);
    Gauge.builder(
            "ferry_migration_bytes_remaining",
            running,
            r -> r.values().stream().mapToDouble(v -> v[0]).sum())
        .description("Bytes left to send by running migrations")
        .register(registry);
    Gauge.builder(
            "ferry_migration_dirty_rate_bytes_per_second",
            running,
            r -> r.values().stream().mapToDouble(v -> v[1]).sum())
        .description("Sum of the dirty rates of running migrations")
        .register(registry);
  }

  /** Records the end of a migration. */
  public void ended(ClusterMigration m) {
    running.remove(m.id());
    Counter.builder("ferry_migrations_total")
        .description("Migrations by outcome")
        .tags(Tags.of("outcome", m.status().text()))
        .register(registry)
        .increment();
    m.record()
        .ifPresent(
            r -> {
              r.durationMs().ifPresent(d -> duration.record(d / 1000.0));
              r.outageMs().or(r::downtimeMs).ifPresent(o -> outage.record(o / 1000.0));
              r.bytesTransferred().ifPresent(b -> bytes.increment(b.bytes()));
            });
  }

  /** Records a running migration's progress. */
  public void progress(String id, MigrationRecord r) {
    r.progress()
        .ifPresent(
            p ->
                running.put(
                    id, new double[] {p.remaining().bytes(), p.dirtyRate().bytesPerSecond()}));
  }

  /** Records a host's load. */
  public void host(ClusterHost h) {
    h.load()
        .ifPresent(
            l -> {
              double[] v =
                  hostLoad.computeIfAbsent(
                      h.name(),
                      name -> {
                        double[] cell = new double[2];
                        Gauge.builder("ferry_host_cpu_used_cores", () -> cell[0])
                            .tags("host", name)
                            .register(registry);
                        Gauge.builder("ferry_host_memory_committed_ratio", () -> cell[1])
                            .tags("host", name)
                            .register(registry);
                        return cell;
                      });
              v[0] = l.cpuUsed();
              v[1] =
                  l.memoryTotal().bytes() == 0
                      ? 0
                      : (double) l.memoryCommitted().bytes() / l.memoryTotal().bytes();
            });
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }
}
