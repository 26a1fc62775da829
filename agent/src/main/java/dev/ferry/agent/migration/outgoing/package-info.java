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
 *       <td>lease moved at the manager (compare-and-set), then the destination takes over with
 *       epoch + 1</td><td>HandedOver | HandoverRefused | HandoverUnknown</td></tr>
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
 * <p>Answers for a newcomer:
 *
 * <ul>
 *   <li><b>Where does switchover happen?</b> {@code SwitchoverPhase}; the guest pauses when QEMU
 *       reaches {@code pre-switchover} at the end of {@code PrecopyPhase}.
 *   <li><b>What happens on abort?</b> {@code OutgoingMigrations.abort} posts to the migration's
 *       {@link dev.ferry.agent.migration.outgoing.Inbox}; the running phase (or the runner, between
 *       phases) returns {@code AbortRequested}; the state machine moves to {@code rolling-back};
 *       {@code Rollback} undoes what the journalled plan names. Refused once handover began.
 *   <li><b>Where is the lease committed?</b> {@code HandoverPhase}, through {@code
 *       SourceVms.transferLease} (the agent's manager link), before the destination is told to take
 *       over.
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
