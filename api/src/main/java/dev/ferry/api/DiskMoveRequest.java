package dev.ferry.api;

import java.util.Optional;

/**
 * Moves a running VM's disk to another directory of the same host's storage roots ({@code POST
 * /v1/vms/NAME/disks/DISK/move}).
 *
 * @param targetDir an existing directory inside one of the agent's storage roots
 * @param keepSource leave the old image in place (default: removed once the guest uses the new)
 */
public record DiskMoveRequest(String targetDir, Optional<Boolean> keepSource) {
  public DiskMoveRequest {
    keepSource = keepSource == null ? Optional.empty() : keepSource;
  }
}
