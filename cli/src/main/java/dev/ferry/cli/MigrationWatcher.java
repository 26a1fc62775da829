package dev.ferry.cli;

import dev.ferry.api.AgentClient;
import dev.ferry.api.ApiException;
import dev.ferry.api.MigrationFollower;
import dev.ferry.migration.MigrationRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/**
 * Follows one migration until it ends, drawing its progress as the agent's events report it:
 * redrawn in place on a terminal, at most a line per second otherwise. Ctrl-C asks whether to
 * abort. An interrupt of the calling thread ends the watch with the last record read.
 */
final class MigrationWatcher {
  private static final Duration PLAIN_EVERY = Duration.ofSeconds(1);

  private final AgentClient agent;
  private final PrintWriter out;
  private final boolean terminal;

  MigrationWatcher(AgentClient agent, PrintWriter out, boolean terminal) {
    this.agent = agent;
    this.out = out;
    this.terminal = terminal;
  }

  MigrationRecord watch(String id) {
    try (MigrationFollower follower = new MigrationFollower(agent, id)) {
      Interrupts interrupts = new Interrupts(follower::wake);
      interrupts.install();
      try {
        return follow(id, follower, interrupts);
      } finally {
        interrupts.uninstall();
      }
    }
  }

  private MigrationRecord follow(String id, MigrationFollower follower, Interrupts interrupts) {
    Instant lastLine = Instant.EPOCH;
    String lastState = "";
    MigrationRecord r = agent.migration(id);
    while (true) {
      String line = MigrationView.progressLine(r);
      if (terminal) {
        out.print("\r\033[K" + line);
        out.flush();
      } else if (!r.state().label().equals(lastState)
          || Duration.between(lastLine, Instant.now()).compareTo(PLAIN_EVERY) >= 0) {
        out.println(line);
        out.flush();
        lastLine = Instant.now();
      }
      lastState = r.state().label();
      if (r.state().terminal()) {
        if (terminal) {
          out.println();
        }
        return r;
      }
      if (interrupts.takePending()) {
        confirmAbort(id);
      }
      try {
        r = follower.next(MigrationFollower.FALLBACK);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return r;
      }
    }
  }

  private void confirmAbort(String id) {
    out.print("\nAbort migration " + id + "? The VM stays on its source host. [y/N] ");
    out.flush();
    String answer;
    try {
      answer =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    } catch (IOException e) {
      answer = null;
    }
    if (answer != null && answer.strip().equalsIgnoreCase("y")) {
      try {
        MigrationRecord r = agent.abortMigration(id);
        out.println("abort: migration is " + r.state().label());
      } catch (ApiException e) {
        out.println("abort refused: " + e.getMessage());
      }
    } else {
      out.println("continuing");
    }
    out.flush();
  }
}
