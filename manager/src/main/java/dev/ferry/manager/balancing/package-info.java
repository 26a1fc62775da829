/**
 * Load balancing on the live cluster: {@link dev.ferry.manager.balancing.BalanceService} takes a
 * snapshot of the inventory, asks the pure balancer ({@code manager.balance}) for moves with their
 * reasons, shows them, and queues the ones an operator applies (or, in automatic mode, applies them
 * every interval, one pass at a time). The moves themselves go through {@code manager.queue}.
 */
package dev.ferry.manager.balancing;
