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
    SpecRules.require(
        SpecRules.DEVICE_ID,
        id,
        "disk id",
        "a lower-case letter, then letters, digits, '-' or '_'");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(format, "format");
    if (!path.isAbsolute() || path.toString().chars().anyMatch(c -> c < 0x20)) {
      throw new IllegalArgumentException(
          "disk path '" + SpecRules.shown(path.toString()) + "' must be an absolute path");
    }
  }
}
