package dev.ferry.api;

import dev.ferry.common.ByteSize;
import java.time.Instant;
import java.util.Optional;

/**
 * A VM in the manager's inventory.
 *
 * @param name the VM's name, unique in the cluster
 * @param host the host that holds its lease
 * @param epoch the lease's epoch
 * @param state its state as the host last reported it
 * @param vcpus virtual CPUs
 * @param memory guest memory
 * @param migration the cluster migration under way or queued for it, if any
 * @param seen when its host last reported it
 */
public record ClusterVm(
    String name,
    String host,
    long epoch,
    VmState state,
    int vcpus,
    ByteSize memory,
    Optional<String> migration,
    Instant seen) {}
