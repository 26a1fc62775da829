package dev.ferry.manager.balance;

import java.util.BitSet;
import java.util.List;

/**
 * What is to be placed — one VM, an affinity group, or a VM that does not exist yet — with every
 * constraint its rules put on a destination, resolved to host and VM indices of a {@link
 * ClusterModel}. Built by {@link RuleIndex}; checked by {@link ClusterModel#check}.
 *
 * @param label how reasons name it: "web-1", or "affinity group db (db-1, db-2)"
 * @param vms model indices of the VMs that move (empty for a new VM)
 * @param from the host they are on, or -1
 * @param compatClass the compatibility class it needs (model index, -1 when no host has it)
 * @param compatibility that class's name
 * @param memory memory it commits in all
 * @param cpu CPU it uses in all, in cores
 * @param allowed hosts its mandatory host groups allow (intersection), or null for any
 * @param allowedBy names of those groups
 * @param together hosts where the rest of its affinity group runs, or null when nothing binds it
 * @param togetherBy names of those affinity rules
 * @param antiRules ids of anti-affinity rules it is in: no host with another member will do
 * @param avoidVms model indices of further VMs whose hosts it must avoid (a new VM's list)
 * @param preferredRules ids of preferred host groups it is in
 * @param conflict when non-null, why its rules contradict each other: no host can ever do
 */
record Subject(
    String label,
    int[] vms,
    int from,
    int compatClass,
    String compatibility,
    long memory,
    double cpu,
    BitSet allowed,
    List<String> allowedBy,
    BitSet together,
    List<String> togetherBy,
    int[] antiRules,
    int[] avoidVms,
    int[] preferredRules,
    String conflict) {}
