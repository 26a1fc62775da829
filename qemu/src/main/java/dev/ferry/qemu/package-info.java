/**
 * QEMU as a program: what a binary offers ({@link dev.ferry.qemu.QemuBinary}, probed once), which
 * accelerator a host can really use ({@link dev.ferry.qemu.AcceleratorProbe}), a VM's definition
 * ({@link dev.ferry.qemu.VmSpec}) and its command line ({@link dev.ferry.qemu.QemuCommandLine}),
 * launching a daemonised QEMU ({@link dev.ferry.qemu.QemuLauncher}), and image operations through
 * {@code qemu-img} ({@link dev.ferry.qemu.QemuImg}: create, info and map with typed results, the
 * format always passed, and {@link dev.ferry.qemu.QemuImg#COPY_MARGIN}, the room a disk copy needs
 * beyond its data).
 *
 * <p>Short commands run through {@link dev.ferry.common.process.ProcessRunner}; only the launcher
 * starts QEMU itself, since the daemon outlives the call. Talking to a running QEMU is the {@code
 * qmp} module's business.
 */
package dev.ferry.qemu;
