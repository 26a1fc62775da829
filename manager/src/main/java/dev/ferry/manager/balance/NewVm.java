package dev.ferry.manager.balance;

import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A VM about to be created, as {@link Placement} needs it. Rules in the snapshot that name it apply
 * too.
 *
 * @param name its name (must not exist yet)
 * @param vcpus virtual CPUs; counted as fully busy when comparing hosts' loads (CPU is never a hard
 *     limit: hosts overcommit it)
 * @param memoryBytes memory it will commit
 * @param pinnedHost the only host it may go to, if the operator chose one
 * @param compatibility the compatibility class it needs (accelerator, CPU model, QEMU family)
 * @param antiAffinityWith VMs it must not share a host with (names that do not exist are ignored)
 */
public record NewVm(
    String name,
    int vcpus,
    long memoryBytes,
    Optional<String> pinnedHost,
    String compatibility,
    Set<String> antiAffinityWith) {
  public NewVm {
    Checks.name(name, "VM name");
    if (vcpus < 1) {
      throw new IllegalArgumentException("VM " + name + ": vcpus must be at least 1, got " + vcpus);
    }
    if (memoryBytes <= 0) {
      throw new IllegalArgumentException(
          "VM " + name + ": memoryBytes must be positive, got " + memoryBytes);
    }
    Objects.requireNonNull(pinnedHost, "VM " + name + ": pinnedHost must not be null (use empty)");
    Checks.name(compatibility, "VM " + name + ": compatibility");
    antiAffinityWith =
        Collections.unmodifiableSortedSet(
            new TreeSet<>(Objects.requireNonNull(antiAffinityWith, "antiAffinityWith")));
  }

  /** A VM with no pinned host and nothing to avoid. */
  public NewVm(String name, int vcpus, long memoryBytes, String compatibility) {
    this(name, vcpus, memoryBytes, Optional.empty(), compatibility, Set.of());
  }
}
