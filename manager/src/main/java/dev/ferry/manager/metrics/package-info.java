/**
 * The manager's Prometheus metrics ({@code GET /metrics}), through Micrometer: migrations by
 * outcome, duration and outage histograms, bytes moved and remaining, dirty rate, queue length,
 * host load.
 */
package dev.ferry.manager.metrics;
