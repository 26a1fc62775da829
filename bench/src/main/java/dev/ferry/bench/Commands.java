package dev.ferry.bench;

import dev.ferry.common.process.ProcessRunner;
import dev.ferry.lab.testbed.ExecResult;
import java.time.Duration;
import java.util.List;

/**
 * Runs a short external command to completion through the shared {@link ProcessRunner}, whose
 * output drains are platform threads: the benchmark's results must not depend on whether a virtual
 * thread gets a carrier while guests load both CPUs (see {@link Bench#main}).
 */
public final class Commands {
  private Commands() {}

  /**
   * Runs {@code command}; a non-zero exit is a result, not an exception. On timeout the command and
   * what it started are killed and the result says so.
   */
  public static ExecResult run(List<String> command, Duration timeout) {
    return ExecResult.of(ProcessRunner.run(timeout, command));
  }
}
