/**
 * VM networking on the host: one tap per NIC, enslaved to a named bridge, named after the VM so the
 * names are stable across restarts and migrations.
 */
package dev.ferry.agent.network;
