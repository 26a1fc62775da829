package dev.ferry.cli;

import dev.ferry.api.ClusterHost;
import dev.ferry.api.ClusterMigration;
import dev.ferry.api.ClusterVm;
import dev.ferry.api.MaintenanceStatus;
import dev.ferry.common.ByteSize;
import java.util.List;

/** Text rendering of the manager's records. */
final class ClusterRender {
  private ClusterRender() {}

  static final List<String> HOST_HEADER =
      List.of("HOST", "STATUS", "MAINTENANCE", "VMS", "CPU", "MEMORY", "URL");

  static List<String> hostRow(ClusterHost h) {
    return List.of(
        h.name(),
        h.status().text(),
        h.maintenance().text(),
        h.load().map(l -> l.running() + "/" + l.vms()).orElse("-"),
        h.load().map(l -> String.format("%.2f/%d", l.cpuUsed(), l.cores())).orElse("-"),
        h.load()
            .map(l -> bar(l.memoryCommitted(), l.memoryTotal()) + " " + l.memoryCommitted())
            .orElse("-"),
        h.url());
  }

  static final List<String> VM_HEADER =
      List.of("VM", "HOST", "STATE", "VCPUS", "MEMORY", "EPOCH", "MIGRATION");

  static List<String> vmRow(ClusterVm v) {
    return List.of(
        v.name(),
        v.host(),
        v.state().text(),
        Integer.toString(v.vcpus()),
        v.memory().toString(),
        Long.toString(v.epoch()),
        v.migration().orElse("-"));
  }

  static final List<String> MIGRATION_HEADER =
      List.of("ID", "VM", "FROM", "TO", "STATUS", "PROGRESS", "DURATION", "OUTAGE", "NOTE");

  static List<String> migrationRow(ClusterMigration m) {
    String progress =
        m.record()
            .flatMap(r -> r.progress())
            .map(p -> String.format("%3.0f%% %s", p.percent(), p.phase()))
            .orElse(m.status() == ClusterMigration.Status.COMPLETED ? "100%" : "-");
    return List.of(
        m.id(),
        m.vm(),
        m.source(),
        m.destination(),
        m.status().text(),
        progress,
        m.record().flatMap(r -> r.durationMs()).map(d -> d + " ms").orElse("-"),
        m.record().flatMap(r -> r.outageMs().or(r::downtimeMs)).map(d -> d + " ms").orElse("-"),
        m.reason().orElse(m.origin()));
  }

  static final List<String> EVACUATION_HEADER = List.of("VM", "TO", "MIGRATION", "STATUS", "WHY");

  static List<String> evacuationRow(MaintenanceStatus.Item i) {
    return List.of(
        i.vm(),
        i.destination().orElse("-"),
        i.migration().orElse("-"),
        i.status(),
        i.reason().orElse(""));
  }

  /** A ten-cell text bar. */
  static String bar(ByteSize used, ByteSize total) {
    int cells =
        total.bytes() == 0
            ? 0
            : (int) Math.min(10, Math.round(10.0 * used.bytes() / total.bytes()));
    return "[" + "#".repeat(cells) + ".".repeat(10 - cells) + "]";
  }
}
