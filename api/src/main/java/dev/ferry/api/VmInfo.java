package dev.ferry.api;

import dev.ferry.qemu.Accelerator;
import dev.ferry.qemu.VmSpec;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A VM on a host: its definition and what it is doing now.
 *
 * @param spec the definition it runs from
 * @param state current state
 * @param pid QEMU's process id while it has one
 * @param accelerator the accelerator its QEMU runs with, while it has one
 * @param since when it entered its current state
 * @param lastError why it last failed or crashed, if it did
 * @param owner the host that holds the VM's ownership (only it may run the VM)
 * @param epoch the ownership epoch; each handover adds one
 * @param migration the migration under way for this VM, if any
 */
public record VmInfo(
    VmSpec spec,
    VmState state,
    OptionalLong pid,
    Optional<Accelerator> accelerator,
    Instant since,
    Optional<String> lastError,
    String owner,
    long epoch,
    Optional<String> migration) {}
