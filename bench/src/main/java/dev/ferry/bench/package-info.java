/**
 * The migration benchmark (see {@code bench/README.md}): {@link dev.ferry.bench.Bench} runs each
 * scenario with each peer (Ferry, plain QEMU, libvirt) on a local testbed ({@link
 * dev.ferry.bench.BenchWorld}) and prints a table per scenario. Benchmarks are programs that print
 * tables, not timed tests.
 *
 * <p>Short commands go through {@link dev.ferry.bench.Commands}, a thin adapter over the shared
 * {@link dev.ferry.common.process.ProcessRunner}; image preparation uses {@link
 * dev.ferry.qemu.QemuImg} ({@link dev.ferry.bench.DataDisks}). Everything started is registered
 * with {@link dev.ferry.bench.Cleanup} so that an interrupted run leaves nothing behind.
 */
package dev.ferry.bench;
