package dev.ferry.api;

import dev.ferry.migration.MigrationId;
import dev.ferry.qemu.VmSpec;
import java.util.List;

/**
 * Source agent → destination agent: prepare to receive a VM.
 *
 * @param migration the migration's id
 * @param sourceHost who sends it (and owns it until handover)
 * @param spec the VM's definition, started unchanged on the destination
 * @param epoch the VM's current ownership epoch; handover grants {@code epoch + 1}
 * @param capabilities the migration capabilities both QEMUs set
 * @param multifdChannels parallel streams (1: none)
 * @param keepAliveTimeoutMs the destination aborts its side when the source is silent this long
 */
public record IncomingRequest(
    MigrationId migration,
    String sourceHost,
    VmSpec spec,
    long epoch,
    List<String> capabilities,
    int multifdChannels,
    long keepAliveTimeoutMs) {}
