/**
 * The destination side of a live migration: one {@link
 * dev.ferry.agent.migration.incoming.IncomingSide} per incoming migration, journalled before it
 * acts, driven by the pure {@code dev.ferry.migration.IncomingStateMachine}.
 *
 * <pre>
 *  source                                  this host
 *  POST /v1/incoming          ──▶ journal Receiving(planned copies) ─▶ create images, QEMU
 *                                 -incoming defer, NBD exports, migrate-incoming ─▶ offer (uri)
 *  POST /v1/incoming/ID/keepalive (1/s) ─▶ watchdog timer reset
 *  QEMU stream ══════════════════▶ QEMU (guest stays paused)
 *  POST /v1/incoming/ID/handover(epoch)
 *                             ──▶ stream completed? ─▶ journal TakingOver(epoch) ─▶ exports stop
 *                                 ─▶ ownership persisted, guest resumed ─▶ journal HandedOver
 *  DELETE /v1/incoming/ID     ──▶ journal Discarded ─▶ QEMU killed, copies deleted
 *  (silence > keepalive timeout, or QEMU died) ─▶ the watchdog discards the side itself
 * </pre>
 *
 * <p>After an agent restart the journals decide: a side that was receiving is discarded (the source
 * rolls back); a takeover whose ownership reached the VM record is finished; handed-over and
 * discarded sides keep answering the source for a day, so it can confirm the outcome instead of
 * guessing.
 */
package dev.ferry.agent.migration.incoming;
