package dev.ferry.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a short host command (such as {@code ip}) to completion; never through a shell. */
public final class Exec {
  private static final Logger log = LoggerFactory.getLogger(Exec.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private Exec() {}

  /** The outcome of one command. */
  public record Result(int exitCode, String output) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  /** Runs the command; a non-zero exit is returned, not thrown. */
  public static Result run(List<String> command) {
    log.debug("exec: {}", String.join(" ", command));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return new Result(-1, "timed out after " + TIMEOUT.toSeconds() + " s");
      }
      return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8).strip());
    } catch (IOException e) {
      return new Result(-1, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "interrupted");
    }
  }

  /** Runs the command and throws with its output when it fails. */
  public static String check(List<String> command) {
    Result r = run(command);
    if (!r.ok()) {
      throw new AgentException.Failed(
          "'" + String.join(" ", command) + "' failed (exit " + r.exitCode() + "): " + r.output(),
          null);
    }
    return r.output();
  }
}
