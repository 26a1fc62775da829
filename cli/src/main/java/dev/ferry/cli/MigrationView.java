package dev.ferry.cli;

import dev.ferry.common.ByteSize;
import dev.ferry.migration.MigrationRecord;
import dev.ferry.migration.Prediction;
import dev.ferry.migration.Progress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Human renderings of migrations: a progress line, a summary, a table row. */
final class MigrationView {
  private static final int BAR = 24;

  private MigrationView() {}

  static String progressLine(MigrationRecord r) {
    StringBuilder b = new StringBuilder();
    b.append(r.id()).append("  ").append(String.format(Locale.ROOT, "%-12s", r.state().label()));
    if (r.progress().isEmpty()) {
      return b.toString();
    }
    Progress p = r.progress().get();
    int filled = (int) Math.round(p.percent() / 100.0 * BAR);
    b.append(" [")
        .append("#".repeat(filled))
        .append("-".repeat(BAR - filled))
        .append("] ")
        .append(String.format(Locale.ROOT, "%5.1f%%", p.percent()));
    b.append("  pass ").append(p.pass());
    b.append("  sent ").append(p.transferred().toHuman());
    b.append("  left ").append(p.remaining().toHuman());
    b.append("  ").append(p.throughput());
    b.append("  dirty ").append(p.dirtyRate());
    b.append("  target ").append(p.downtimeTarget().toMillis()).append(" ms");
    p.expectedDowntime().ifPresent(d -> b.append("  expect ").append(d.toMillis()).append(" ms"));
    if (p.throttlePercent() > 0) {
      b.append("  throttle ").append(p.throttlePercent()).append('%');
    }
    p.eta().ifPresent(e -> b.append("  ETA ").append(seconds(e)));
    for (Progress.DiskProgress d : p.disks()) {
      long all = d.copied().bytes() + d.remaining().bytes();
      b.append("  ")
          .append(d.disk())
          .append(' ')
          .append(all == 0 ? 0 : 100 * d.copied().bytes() / all)
          .append('%')
          .append(d.ready() ? " ready" : "")
          .append(d.writeRate().bytesPerSecond() > 0 ? " writes " + d.writeRate() : "");
    }
    return b.toString();
  }

  static List<String[]> summary(MigrationRecord r) {
    List<String[]> f = new ArrayList<>();
    f.add(new String[] {"Migration", r.id().value()});
    f.add(new String[] {"VM", r.vm() + " (" + r.source() + " -> " + r.destination() + ")"});
    f.add(new String[] {"State", r.state().label()});
    r.durationMs().ifPresent(d -> f.add(new String[] {"Duration", d + " ms"}));
    r.downtimeMs().ifPresent(d -> f.add(new String[] {"QEMU downtime", d + " ms"}));
    r.outageMs().ifPresent(d -> f.add(new String[] {"Observed outage", d + " ms (client probe)"}));
    r.bytesTransferred().ifPresent(b -> f.add(new String[] {"Transferred", b.toHuman()}));
    f.add(new String[] {"Passes", Long.toString(r.passes())});
    r.prediction().ifPresent(p -> f.add(new String[] {"Predicted", prediction(p)}));
    r.budget()
        .ifPresent(
            b ->
                f.add(
                    new String[] {
                      "Time budget", seconds(b) + ", then " + r.settings().timeoutAction().text()
                    }));
    r.epoch().ifPresent(e -> f.add(new String[] {"New epoch", Long.toString(e)}));
    r.error().ifPresent(e -> f.add(new String[] {"Error", e.phase().text() + ": " + e.cause()}));
    for (String w : r.warnings()) {
      f.add(new String[] {"Warning", w});
    }
    for (MigrationRecord.Transition t : r.transitions()) {
      f.add(
          new String[] {
            "  " + t.at().toString().substring(11, 23),
            (t.from().equals(t.to()) ? t.to() : t.from() + " -> " + t.to()) + ": " + t.why()
          });
    }
    return f;
  }

  static String prediction(Prediction p) {
    return String.format(
        Locale.ROOT,
        "%s, pause %d ms, %d pass(es) (dirty %s, stream %s)%s",
        p.converges() ? seconds(p.duration()) : "no convergence",
        p.downtime().toMillis(),
        p.passes(),
        p.dirtyRate(),
        p.bandwidth(),
        p.converges() ? "" : " - policy decides within the budget");
  }

  static List<String> header() {
    return List.of("ID", "VM", "FROM", "TO", "STATE", "DURATION", "DOWNTIME", "OUTAGE", "BYTES");
  }

  static List<String> row(MigrationRecord r) {
    return List.of(
        r.id().value(),
        r.vm(),
        r.source(),
        r.destination(),
        r.state().label(),
        r.durationMs().map(d -> d + " ms").orElse("-"),
        r.downtimeMs().map(d -> d + " ms").orElse("-"),
        r.outageMs().map(d -> d + " ms").orElse("-"),
        r.bytesTransferred().map(ByteSize::toHuman).orElse("-"));
  }

  static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }
}
