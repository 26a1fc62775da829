package dev.ferry.manager.vms;

import java.util.Optional;
import java.util.Set;

/** Chooses the host for a new VM, or says why none fits. */
public interface Placer {

  /**
   * @param pinned the host the operator asked for, if any
   * @return the chosen host
   * @throws dev.ferry.manager.ManagerException (409) naming why each host was rejected
   */
  String place(String vm, int vcpus, long memoryBytes, Optional<String> pinned, Set<String> avoid);
}
