package dev.ferry.lab.testbed;

import dev.ferry.common.process.ProcessRunner;
import java.time.Duration;
import java.util.List;

/**
 * Runs an external command to completion through the shared {@link ProcessRunner} (argument lists
 * only, output drained while it runs, a hard timeout), as the testbed's {@link ExecResult}.
 *
 * <p>Stateless and thread-safe.
 */
final class Cmd {
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  static final ProcessBuilder.Redirect NO_INPUT =
      ProcessBuilder.Redirect.from(new java.io.File("/dev/null"));

  private Cmd() {}

  /** Runs {@code command}; a non-zero exit is a result, not an exception. */
  static ExecResult run(Duration timeout, List<String> command) {
    return ExecResult.of(ProcessRunner.run(timeout, command));
  }

  /** Runs {@code command} with the default timeout and throws if it fails, naming {@code step}. */
  static ExecResult check(String step, List<String> command) {
    return run(DEFAULT_TIMEOUT, command).orThrow(step);
  }
}
