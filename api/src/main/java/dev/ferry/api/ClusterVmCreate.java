package dev.ferry.api;

import java.util.Optional;
import java.util.Set;

/**
 * Creates a VM through the manager, which picks the host unless {@code host} pins it.
 *
 * @param vm the definition, as for an agent
 * @param host run it on this host (refused with the reason if it cannot)
 * @param antiAffinity names of VMs it must not share a host with
 */
public record ClusterVmCreate(VmCreateRequest vm, Optional<String> host, Set<String> antiAffinity) {
  public ClusterVmCreate {
    antiAffinity = antiAffinity == null ? Set.of() : Set.copyOf(antiAffinity);
  }
}
