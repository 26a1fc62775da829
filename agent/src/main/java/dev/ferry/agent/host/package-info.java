/**
 * What this host is and how loaded it is, read from {@code /proc}: processor, memory and kernel
 * facts for preflight and placement, and per-VM CPU and memory use for the manager's balancer.
 */
package dev.ferry.agent.host;
