package dev.ferry.qemu;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One virtio block device backed by an image file.
 *
 * @param id short device id, unique within the VM ({@code disk0}); also the QEMU node name stem
 * @param path absolute image path; must lie inside one of the agent's storage roots
 * @param format image format
 * @param readOnly whether the guest sees it read-only
 */
public record DiskSpec(String id, Path path, DiskFormat format, boolean readOnly) {
  public DiskSpec {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(format, "format");
  }
}
