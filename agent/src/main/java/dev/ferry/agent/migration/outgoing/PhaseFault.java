package dev.ferry.agent.migration.outgoing;

import dev.ferry.migration.MigrationProblem;

/**
 * Thrown inside a phase when an I/O step it cannot do without fails (QEMU refuses a command, a
 * query times out); the runner turns it into the phase's {@code Fault}. Aborts and expected
 * outcomes are never thrown: phases return them as their {@link Step}.
 */
final class PhaseFault extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient MigrationProblem problem;

  PhaseFault(MigrationProblem problem) {
    super(problem.message(), null, false, false);
    this.problem = problem;
  }

  MigrationProblem problem() {
    return problem;
  }
}
