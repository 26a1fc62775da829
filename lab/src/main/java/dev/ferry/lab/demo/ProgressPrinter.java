package dev.ferry.lab.demo;

import dev.ferry.api.MigrationText;
import dev.ferry.migration.MigrationRecord;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Prints a migration's progress bar as each record arrives: redrawn in place on a terminal, else a
 * line on each state change and at most one a second.
 */
public final class ProgressPrinter implements Consumer<MigrationRecord> {
  private static final Duration PLAIN_EVERY = Duration.ofSeconds(1);

  private final PrintWriter out;
  private final boolean terminal;
  private Instant lastLine = Instant.EPOCH;
  private String lastState = "";

  public ProgressPrinter(PrintWriter out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  @Override
  public void accept(MigrationRecord r) {
    String line = MigrationText.progressLine(r);
    if (terminal) {
      out.print("\r\033[K" + line + (r.state().terminal() ? "\n" : ""));
    } else if (!r.state().label().equals(lastState)
        || Duration.between(lastLine, Instant.now()).compareTo(PLAIN_EVERY) >= 0) {
      out.println(line);
      lastLine = Instant.now();
    }
    lastState = r.state().label();
    out.flush();
  }
}
