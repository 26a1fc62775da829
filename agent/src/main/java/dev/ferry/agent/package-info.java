/**
 * The host agent: one per host, root, driving the host's QEMUs over QMP. {@link
 * dev.ferry.agent.Agent} wires the feature packages together and serves them over REST:
 *
 * <ul>
 *   <li>{@code vm} — the VMs of this host and their lifecycle (who may start, stop, migrate);
 *   <li>{@code migration.outgoing} / {@code migration.incoming} — the source and destination sides
 *       of a live migration, one class per phase, journalled;
 *   <li>{@code blockjobs} — the block-job commands disk copies are made of;
 *   <li>{@code storage} — storage roots, image sizes, live block nodes; {@code diskmove} — the
 *       storage-only move of a running disk;
 *   <li>{@code cluster} — the link to the manager: may this VM run here, move its lease;
 *   <li>{@code network} — taps on bridges; {@code host} — facts and load from {@code /proc};
 *   <li>{@code events} — the numbered event log behind {@code GET /v1/events};
 *   <li>{@code http} — the REST routes.
 * </ul>
 */
package dev.ferry.agent;
