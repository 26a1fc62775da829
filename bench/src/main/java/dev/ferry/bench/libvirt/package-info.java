/**
 * The libvirt peer of the benchmark: two {@link dev.ferry.bench.libvirt.LibvirtHost}s (each a
 * {@code libvirtd} in a testbed namespace and a private mount namespace, started with its own
 * process since the daemon outlives the call) and {@link dev.ferry.bench.libvirt.LibvirtPeer},
 * which migrates with {@code virsh migrate --live --p2p} and reads {@code domjobinfo} ({@link
 * dev.ferry.bench.libvirt.JobStats}).
 */
package dev.ferry.bench.libvirt;
