/**
 * The live migration's domain, free of I/O: the sealed {@link dev.ferry.migration.MigrationState}
 * whose states carry their data ({@link dev.ferry.migration.Plan}, {@link
 * dev.ferry.migration.Offer}, {@link dev.ferry.migration.Measured}), its single transition function
 * {@link dev.ferry.migration.MigrationStateMachine} (diagram with the rollback arcs on {@code
 * MigrationState}), the destination side's {@link dev.ferry.migration.IncomingStateMachine}, the
 * typed {@link dev.ferry.migration.MigrationProblem} faults, the convergence policy, the pre-copy
 * prediction, progress that never runs backwards, and the migration record (the journal's content
 * and the API's view). The agent drives these with QEMU and the destination agent ({@code
 * dev.ferry.agent.migration.outgoing}, {@code .incoming}).
 *
 * <pre>
 *  source agent                                destination agent
 *  ───────────                                 ─────────────────
 *  PREFLIGHT  facts, checks, plan         ──►  GET /v1/host, POST /v1/incoming/check
 *  PREPARE    dirty rate, bandwidth probe ──►  POST /v1/incoming/bandwidth
 *                                         ──►  POST /v1/incoming  (QEMU -incoming defer, same spec)
 *  DISK_MIRROR blockdev-mirror            ══►  NBD export (writable copy)
 *  PRECOPY    migrate uri; policy ticks   ══►  QEMU ⇐ QEMU stream; keepalives ──► watchdog
 *  SWITCHOVER pre-switchover → mirrors
 *             completed → continue        ══►  completed (guest paused on both ends)
 *  HANDOVER   lease CAS at the manager;
 *             epoch+1                     ──►  POST /v1/incoming/{id}/handover → cont, announce
 *  CLEANUP    quit source QEMU, drop taps
 *  abort/fault before HANDOVER: ROLLING-BACK → cancel mirrors and stream,
 *                                         ──►  DELETE /v1/incoming/{id}; guest resumes on the source
 * </pre>
 */
package dev.ferry.migration;
