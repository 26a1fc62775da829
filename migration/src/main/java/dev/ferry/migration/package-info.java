/**
 * The live migration's domain, free of I/O: the sealed {@link dev.ferry.migration.MigrationState}
 * and its single transition function, the convergence policy, the pre-copy prediction, progress
 * that never runs backwards, and the migration record. The agent drives these with QEMU and the
 * destination agent.
 *
 * <pre>
 *  source agent                                destination agent
 *  ───────────                                 ─────────────────
 *  PREFLIGHT  facts, checks, dirty rate,  ──►  GET /v1/host, POST /v1/incoming/check
 *             bandwidth probe, prediction ──►  POST /v1/incoming/bandwidth
 *  PREPARE                                ──►  POST /v1/incoming  (QEMU -incoming defer, same spec)
 *  PRECOPY    migrate uri; policy ticks   ══►  QEMU ⇐ QEMU stream; keepalives ──► watchdog
 *  SWITCHOVER pre-switchover → continue   ══►  completed (guest paused on both ends)
 *  HANDOVER   epoch+1                     ──►  POST /v1/incoming/{id}/handover → cont, announce
 *  CLEANUP    quit source QEMU, drop taps
 * </pre>
 */
package dev.ferry.migration;
