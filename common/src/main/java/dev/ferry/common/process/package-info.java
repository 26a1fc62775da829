/**
 * Running short host commands ({@code ip}, {@code qemu-img}, {@code virsh}...) to completion with a
 * real timeout.
 *
 * <p>{@link dev.ferry.common.process.ProcessRunner} is the one way Ferry runs such a command: an
 * argument list (never a shell line), stdin from {@code /dev/null}, stdout and stderr drained on
 * threads of their own while the caller waits, and a deadline that holds even when the child (or a
 * grandchild it left behind) keeps its output open. The result is a {@link
 * dev.ferry.common.process.ProcessOutcome}; {@link
 * dev.ferry.common.process.ProcessOutcome#orThrow()} turns a failure into a {@link
 * dev.ferry.common.process.ProcessFailedException} whose message names the command, how it ended
 * and what it said.
 *
 * <pre>
 *  start ──► running ──exit──────────────► outcome(exit code, stdout, stderr)
 *               │
 *               └─deadline─► kill the tree ─► outcome(timedOut, what was read so far)
 *               └─interrupt─► kill the tree ─► CancellationException (interrupt flag kept)
 * </pre>
 *
 * Processes that must outlive the call (a daemonised QEMU, a PostgreSQL server, an agent in a
 * namespace) are started with their own {@link java.lang.ProcessBuilder}; each such site says why.
 */
package dev.ferry.common.process;
