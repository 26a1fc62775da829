package dev.ferry.api;

import dev.ferry.migration.MigrationRecord;
import dev.ferry.migration.Prediction;
import dev.ferry.migration.Progress;
import java.time.Duration;
import java.util.Locale;

/**
 * Human renderings of a migration the agent reports: the one-line progress bar and the prediction,
 * shared by the {@code ferry} command and the lab's demo so both print the same thing.
 */
public final class MigrationText {
  private static final int BAR = 24;

  private MigrationText() {}

  /** {@code m-... precopy [####----] 42.1% pass 1 sent ... left ... ETA ...}. */
  public static String progressLine(MigrationRecord r) {
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

  /** {@code 0.8 s, pause 101 ms, 2 pass(es) (dirty ..., stream ...)}. */
  public static String prediction(Prediction p) {
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

  /** {@code 1.5 s}. */
  public static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }
}
