/**
 * The Ferry peer of the benchmark: {@link dev.ferry.bench.ferry.FerryPeer} boots the guest on the
 * testbed's real agents and migrates it through the agent API, following the migration through the
 * agent's event stream; {@link dev.ferry.bench.ferry.FerryMigrator} is the result it hands to the
 * run. Used by {@link dev.ferry.bench.Bench}.
 */
package dev.ferry.bench.ferry;
