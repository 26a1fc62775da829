/**
 * The source side of a live migration: one class per phase, sequenced by one runner.
 *
 * <p>Where things happen (each phase is one file; no phase calls another):
 *
 * <table>
 *   <caption>Phases</caption>
 *   <tr><th>State</th><th>Phase class</th><th>What it does</th><th>Ends with</th></tr>
 *   <tr><td>preflight</td><td>{@link dev.ferry.agent.migration.outgoing.PreflightPhase}</td>
 *       <td>checks both hosts, settles the plan (capabilities, disks to copy); touches nothing</td>
 *       <td>PreflightPassed(plan) | Fault(Refused)</td></tr>
 *   <tr><td>preparing</td><td>{@link dev.ferry.agent.migration.outgoing.PreparePhase}</td>
 *       <td>destination QEMU started ({@code POST /v1/incoming}); dirty rate and link measured;
 *       keepalive starts</td><td>DestinationPrepared(offer, measured)</td></tr>
 *   <tr><td>mirroring</td><td>{@link dev.ferry.agent.migration.outgoing.DiskMirrorPhase}</td>
 *       <td>NBD target + blockdev-mirror per copied disk, until every mirror is ready</td>
 *       <td>MirrorsReady</td></tr>
 *   <tr><td>precopy</td><td>{@link dev.ferry.agent.migration.outgoing.PrecopyPhase}</td>
 *       <td>{@code migrate}; passes under the convergence policy</td>
 *       <td>PreSwitchoverReached | StreamCompleted</td></tr>
 *   <tr><td>switchover</td><td>{@link dev.ferry.agent.migration.outgoing.SwitchoverPhase}</td>
 *       <td>guest paused: mirrors completed, {@code migrate-continue}</td>
 *       <td>StreamCompleted</td></tr>
 *   <tr><td>handover</td><td>{@link dev.ferry.agent.migration.outgoing.HandoverPhase}</td>
 *       <td>lease moved at the manager (compare-and-set, pending), then the destination activates
 *       it and takes over with epoch + 1; a failure is settled by {@link
 *       dev.ferry.agent.migration.outgoing.HandoverSettlement}</td>
 *       <td>HandedOver | HandoverRefused | HandoverUnknown</td></tr>
 *   <tr><td>cleanup</td><td>{@link dev.ferry.agent.migration.outgoing.CleanupPhase}</td>
 *       <td>source QEMU quits, taps and source disk copies go</td><td>CleanedUp</td></tr>
 *   <tr><td>rolling-back</td><td>{@link dev.ferry.agent.migration.outgoing.Rollback}</td>
 *       <td>mirrors cancelled, stream cancelled, destination told to drop its side, guest
 *       resumed here</td><td>RolledBack</td></tr>
 * </table>
 *
 * <pre>
 *   request thread:  OutgoingMigrations.migrate ─▶ OutgoingMigration.begin (journal) ─▶ preflight
 *   runner thread:   loop { state ─phase.run()─▶ Step(event, why) ─Journal.fire()─▶ next state }
 *   restart:         journal ─Recovery.firstStep()─▶ (roll back | confirm handover | rerun phase)
 * </pre>
 *
 * <p>The handover, step by step. Every step that lets a guest run is decided by the lease, so that
 * at any instant at most one host may run it, and a failure ends with exactly one that does:
 *
 * <pre>
 *   source agent (A, epoch e)        manager (lease row)               destination agent (B)
 *   guest paused, stream completed
 *   transfer(A→B, e) ───────────────▶ (A,e) → (B,e+1) pending from A
 *   POST /v1/incoming/ID/handover ──────────────────────────────────▶ stream completed?
 *                                                                     journal TakingOver(e+1), fsync
 *                                     (B,e+1) pending → (B,e+1) ◀──── activate(B, e+1)
 *                                                                     owner B, e+1 persisted; cont
 *   ◀──────────────────────────────────────────────────────────────── journal HandedOver; 200
 *   cleanup: source QEMU quits
 *
 *   the handover fails (409, 404, no answer past keepalive timeout + 15 s):
 *   reclaim(A←B, e) ────────────────▶ (B,e+1) pending → (A,e+2)      activate now refused:
 *     reclaimed: owner A, e+2 persisted; roll back (cont here)        side discarded (409)
 *     refused, B activated:  the VM is B's; cleanup here
 *     no answer: asked again; past the patience the guest stays paused (HandoverUnknown)
 *
 *   without a manager: B's journal decides. A asks B to drop its side (DELETE /v1/incoming/ID):
 *   dropped or never known (404) → roll back; refused because B is taking over or took over →
 *   B runs it (A asks again until B says handed over).
 * </pre>
 *
 * <p>A destination agent that dies mid-way finds {@code TakingOver} in its journal when it
 * restarts, and finishes the takeover by the same rule (activate, then {@code cont}), or removes
 * its side if the manager refuses; the source's retries then read the truth. Any agent bound to a
 * manager also fences, every 5 s and at start, a guest it runs without the lease ({@code
 * fence.LeaseFence}: paused at once, killed once the lease holder runs it).
 *
 * <p>Answers for a newcomer:
 *
 * <ul>
 *   <li><b>Where does switchover happen?</b> {@code SwitchoverPhase}; the guest pauses when QEMU
 *       reaches {@code pre-switchover} at the end of {@code PrecopyPhase}.
 *   <li><b>What happens on abort?</b> {@code OutgoingMigrations.abort} posts to the migration's
 *       {@link dev.ferry.agent.migration.outgoing.Inbox}; the running phase (or the runner, between
 *       phases) returns {@code AbortRequested}; the state machine moves to {@code rolling-back};
 *       {@code Rollback} undoes what the journalled plan names. Refused once handover began.
 *   <li><b>Where is the lease committed?</b> Moved (pending) by {@code HandoverPhase} through
 *       {@code SourceVms.transferLease} before the destination is told to take over; settled by the
 *       destination ({@code IncomingMigrations.handover} → {@code DestinationVms.activateLease})
 *       before its {@code cont}; taken back by {@code HandoverSettlement} after a failure.
 *   <li><b>What survives a restart?</b> The journal ({@link
 *       dev.ferry.agent.migration.outgoing.OutgoingStore}): every transition is written, fsynced,
 *       before the next phase acts.
 * </ul>
 *
 * <p>The state machine itself (pure, with the rollback arcs) is {@code
 * dev.ferry.migration.MigrationStateMachine}; the destination side is {@code
 * dev.ferry.agent.migration.incoming}.
 */
package dev.ferry.agent.migration.outgoing;
