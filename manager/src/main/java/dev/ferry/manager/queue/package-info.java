/**
 * The migration queue: admission, dispatch under limits, and following each migration on its source
 * agent until it ends.
 *
 * <p>A queue entry's life (the {@code migrations} row; {@code reason} says why it waits or ended):
 *
 * <pre>
 *   submit ─▶ Admission.check ── Refused(status, why) ─▶ 4xx to the caller, nothing stored
 *                 │ Accepted
 *                 ▼
 *             QUEUED ──── abort (operator) ────────────────────────────▶ CANCELLED
 *                 │ Dispatch.decide picks it (limits, fairness by last started_at per source)
 *                 ▼
 *             RUNNING "starting" ── agent refuses / unreachable ───────▶ FAILED
 *                 │ agent answered with its migration id
 *                 ▼
 *             RUNNING ── Follower: agent record terminal (Outcome.of) ─▶ COMPLETED | ABORTED | FAILED
 *                        (agent lost it ───────────────────────────────▶ FAILED)
 * </pre>
 *
 * <p>Decide, then apply and record: {@link dev.ferry.manager.queue.Admission}, {@link
 * dev.ferry.manager.queue.Dispatch} and {@link dev.ferry.manager.queue.Outcome} are pure; {@link
 * dev.ferry.manager.queue.QueueRecorder} is the one place that writes queue rows, events and
 * metrics; the {@link dev.ferry.manager.queue.Dispatcher} writes its decision ({@code RUNNING},
 * {@code started_at}) before it asks the agent, so a restarted manager finds it and the {@link
 * dev.ferry.manager.queue.Follower} adopts what the agent started.
 *
 * <p>Waiting: the dispatcher sleeps on a {@link dev.ferry.manager.queue.Wake} that enqueueing, an
 * end, a limits change or a host's return signal, with a deadline as a safety net. A follower
 * listens to the source agent's {@code GET /v1/events} (resuming with {@code ?since=} the last
 * event seen) and reads the migration's record when an event names it; while that stream is down it
 * reads the record every few seconds ({@link dev.ferry.manager.queue.QueueTimings}).
 *
 * <p>A completed migration's lease move is committed again through {@code manager.leases} (a no-op
 * when the handover's transfer arrived); the queue writes no lease itself.
 */
package dev.ferry.manager.queue;
