/**
 * Ferry's lab: what runs the product on one machine for demos, tests and benchmarks, and is not
 * part of the product. {@link dev.ferry.lab.FerryLab} is the {@code ferry-lab} command ({@code
 * lab/target/ferry-lab.jar}; {@code scripts/demo} runs {@code ferry-lab demo}).
 *
 * <pre>
 *   dev.ferry.lab            the ferry-lab entry point
 *   dev.ferry.lab.command    ferry-lab testbed up|down|status, ferry-lab migrate (probed)
 *   dev.ferry.lab.demo       ferry-lab demo, the probed migration, the progress printer
 *   dev.ferry.lab.testbed    namespace hosts, agents, faults, the outage probe, PostgreSQL
 * </pre>
 *
 * <p>Used by the bench and by the end-to-end tests (and the manager's store tests, for PostgreSQL).
 * The lab talks to agents through {@code api} only and starts them as the product's {@code ferry
 * agent run}; it never links the {@code ferry} command (checked by {@code e2e/LayeringTest}).
 */
package dev.ferry.lab;
