/**
 * The plain-QEMU baseline of the benchmark: {@link dev.ferry.bench.qemu.PlainQemuPeer} migrates
 * between two bare QEMUs it starts in the testbed's host namespaces ({@link
 * dev.ferry.bench.qemu.QemuProcess}), over QMP, polling {@code query-migrate} the way a script
 * around QEMU would. Used by {@link dev.ferry.bench.Bench}, interleaved with the other peers.
 */
package dev.ferry.bench.qemu;
