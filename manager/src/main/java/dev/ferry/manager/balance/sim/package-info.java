/**
 * Synthetic clusters for testing and benchmarking the balancer at scale: a seeded generator and a
 * benchmark that prints a Markdown table.
 */
package dev.ferry.manager.balance.sim;
