package dev.ferry.migration;

import dev.ferry.common.ByteSize;
import dev.ferry.qemu.DiskSpec;
import java.util.List;
import java.util.Objects;

/**
 * What preflight settled and every later phase works from: the VM's ownership epoch on the source,
 * the QEMU migration capabilities both ends enable, and the disks to copy to the destination.
 * Recorded in the journal, so a rollback or a recovery after a restart knows what may need undoing
 * (each disk copy names its mirror job and NBD node) without guessing.
 *
 * @param sourceEpoch the VM's epoch on the source; the destination takes over with one more
 * @param capabilities QEMU migration capabilities (QMP names) enabled on both ends
 * @param copies disks the destination cannot see, mirrored over NBD before pre-copy
 */
public record Plan(long sourceEpoch, List<String> capabilities, List<DiskCopy> copies) {
  public Plan {
    capabilities = List.copyOf(capabilities);
    copies = List.copyOf(copies);
  }

  /** The plan of a migration that ended before preflight settled anything. */
  public static Plan none(long sourceEpoch) {
    return new Plan(sourceEpoch, List.of(), List.of());
  }

  /** The epoch the destination owns the VM with after handover. */
  public long handoverEpoch() {
    return sourceEpoch + 1;
  }

  public boolean copiesDisks() {
    return !copies.isEmpty();
  }

  /** Bytes the copies occupy on the source (what the destination must make room for). */
  public ByteSize copiedBytes() {
    return ByteSize.ofBytes(copies.stream().mapToLong(c -> c.allocated().bytes()).sum());
  }

  /**
   * One disk to copy.
   *
   * @param disk the source's disk
   * @param virtualSize the image's virtual size
   * @param allocated what the image occupies on disk
   */
  public record DiskCopy(DiskSpec disk, ByteSize virtualSize, ByteSize allocated) {
    public DiskCopy {
      Objects.requireNonNull(disk, "disk");
      Objects.requireNonNull(virtualSize, "virtualSize");
      Objects.requireNonNull(allocated, "allocated");
    }

    /** The source QEMU's mirror job for this disk. */
    public String mirrorJob() {
      return "mirror-" + disk.id();
    }

    /** The source QEMU's block node that writes to the destination's NBD export. */
    public String nbdNode() {
      return "nbd-" + disk.id();
    }
  }
}
