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
 * @param copies the disks the destination must create and receive over NBD (storage migration)
 */
public record IncomingRequest(
    MigrationId migration,
    String sourceHost,
    VmSpec spec,
    long epoch,
    List<String> capabilities,
    int multifdChannels,
    long keepAliveTimeoutMs,
    List<DiskCopy> copies) {

  public IncomingRequest {
    copies = copies == null ? List.of() : List.copyOf(copies);
  }

  /**
   * A disk to copy: the destination creates an empty image of the same format and virtual size in
   * its local storage, and exports it over NBD for the source's mirror.
   *
   * @param disk disk id ({@code disk0})
   * @param virtualSize the image's virtual size in bytes
   * @param allocated bytes the source image occupies (what the copy may need)
   */
  public record DiskCopy(
      String disk, dev.ferry.qemu.DiskFormat format, long virtualSize, long allocated) {}
}
