package dev.ferry.cli;

import dev.ferry.api.MigrationText;
import dev.ferry.common.ByteSize;
import dev.ferry.migration.MigrationRecord;
import dev.ferry.migration.Prediction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Human renderings of migrations: a progress line, a summary, a table row. */
final class MigrationView {
  private MigrationView() {}

  static String progressLine(MigrationRecord r) {
    return MigrationText.progressLine(r);
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
    return MigrationText.prediction(p);
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
    return MigrationText.seconds(d);
  }
}
