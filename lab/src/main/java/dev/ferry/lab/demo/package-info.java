/**
 * {@code ferry-lab demo} ({@link dev.ferry.lab.demo.DemoCommand}, run by {@code scripts/demo}):
 * builds a two-host testbed, boots the test guest on host-a, shows it serving the client,
 * live-migrates it to host-b and back while the client probes it every millisecond, prints each
 * move's figures and removes everything.
 *
 * <pre>
 *   down(leftover) → up(2 hosts) → create+boot → probe 3 s, HTTP → move a→b → move b→a
 *                                                  → summary → ACPI stop → delete → down
 * </pre>
 *
 * <p>{@link dev.ferry.lab.demo.ProbedMigration} (one move with the probe running, the outage
 * reported to the source agent) and {@link dev.ferry.lab.demo.ProgressPrinter} are shared with
 * {@code ferry-lab migrate}.
 */
package dev.ferry.lab.demo;
