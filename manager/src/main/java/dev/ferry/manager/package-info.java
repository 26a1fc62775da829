/**
 * The control plane: {@link dev.ferry.manager.Manager} wires the inventory ({@code store}), hosts,
 * VMs and leases, the migration queue, maintenance, placement and balancing, and serves them
 * through {@code http}; {@link dev.ferry.manager.Operations} is what the API and the console can
 * ask for, and {@link dev.ferry.manager.ManagerConfig} how the manager runs.
 *
 * <p>{@link dev.ferry.manager.ManagerException} is a refusal carrying the HTTP status to answer;
 * the REST server maps it (code {@code manager}).
 */
package dev.ferry.manager;
