/**
 * The host agent: one per host, root, driving the host's QEMUs over QMP. {@link
 * dev.ferry.agent.Agent} wires the feature packages together and serves them through {@code http};
 * {@link dev.ferry.agent.AgentConfig} is how it runs.
 *
 * <ul>
 *   <li>{@code vm} — the VMs of this host and their lifecycle (who may start, stop, migrate);
 *   <li>{@code migration.outgoing} / {@code migration.incoming} — the source and destination sides
 *       of a live migration, one class per phase, journalled;
 *   <li>{@code blockjobs} — the block-job commands disk copies are made of;
 *   <li>{@code storage} — storage roots, live block nodes; {@code diskmove} — the storage-only move
 *       of a running disk;
 *   <li>{@code cluster} — the link to the manager: may this VM run here, move its lease;
 *   <li>{@code network} — taps on bridges; {@code host} — facts and load from {@code /proc};
 *   <li>{@code events} — the numbered event log behind {@code GET /v1/events};
 *   <li>{@code http} — the REST routes, one group per feature.
 * </ul>
 *
 * <p>{@link dev.ferry.agent.AgentException} is the family of refusals a request can meet; each kind
 * carries its HTTP status, so services throw it and only the REST server turns it into a reply.
 */
package dev.ferry.agent;
