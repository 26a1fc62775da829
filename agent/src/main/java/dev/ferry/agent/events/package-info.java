/**
 * The agent's event log: every VM and migration change as a numbered event, kept for clients that
 * reconnect and pushed to subscribers (the {@code GET /v1/events} stream, the manager's followers).
 */
package dev.ferry.agent.events;
