package dev.ferry.agent.migration.incoming;

import dev.ferry.agent.AgentException;
import dev.ferry.api.IncomingRequest;
import dev.ferry.common.ByteSize;
import dev.ferry.qemu.DiskSpec;
import dev.ferry.qemu.QemuException;
import dev.ferry.qemu.QemuImg;
import dev.ferry.qemu.VmSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The destination's empty images for the disks a storage migration copies: same format and virtual
 * size as the source's, created thin in the host's local storage under the source image's file
 * name, and the VM definition rewritten to use them. Planned first (paths checked, room checked),
 * journalled, then created, so a crash in between leaves nothing the journal does not name.
 *
 * @param spec the VM definition with the copied disks' paths replaced
 * @param targets the images to create, by disk
 */
record DiskTargets(VmSpec spec, List<Target> targets) {
  /** One image to create for a copied disk. */
  record Target(IncomingRequest.DiskCopy copy, Path path) {}

  /** The images' paths. */
  List<Path> paths() {
    return targets.stream().map(Target::path).toList();
  }

  static DiskTargets plan(IncomingRequest r, Path localStorage, long freeBytes, String host) {
    if (r.copies().isEmpty()) {
      return new DiskTargets(r.spec(), List.of());
    }
    long needed = r.copies().stream().mapToLong(IncomingRequest.DiskCopy::allocated).sum();
    if (QemuImg.roomFor(ByteSize.ofBytes(needed)).bytes() > freeBytes) {
      throw new AgentException.Conflict(
          "not enough room on "
              + host
              + " for the disk copies: they need "
              + ByteSize.ofBytes(needed)
              + " (+ "
              + QemuImg.COPY_MARGIN
              + "), "
              + localStorage
              + " has "
              + ByteSize.ofBytes(freeBytes)
              + " free");
    }
    Map<String, IncomingRequest.DiskCopy> copies =
        r.copies().stream()
            .collect(Collectors.toMap(IncomingRequest.DiskCopy::disk, Function.identity()));
    List<Target> targets = new ArrayList<>();
    List<DiskSpec> disks = new ArrayList<>();
    for (DiskSpec d : r.spec().disks()) {
      IncomingRequest.DiskCopy c = copies.get(d.id());
      if (c == null) {
        disks.add(d);
        continue;
      }
      Path target = localStorage.resolve(d.path().getFileName());
      if (Files.exists(target)) {
        throw new AgentException.Conflict(
            "cannot copy disk " + d.id() + ": " + target + " already exists on " + host);
      }
      targets.add(new Target(c, target));
      disks.add(new DiskSpec(d.id(), target, d.format(), d.readOnly()));
    }
    VmSpec s = r.spec();
    return new DiskTargets(
        new VmSpec(
            s.name(),
            s.uuid(),
            s.vcpus(),
            s.memory(),
            s.machine(),
            s.cpuModel(),
            s.boot(),
            disks,
            s.nics()),
        List.copyOf(targets));
  }

  /** Creates the images; on failure removes those it created and throws. */
  void create() {
    List<Path> created = new ArrayList<>();
    try {
      for (Target t : targets) {
        try {
          QemuImg.create(t.path(), t.copy().format(), ByteSize.ofBytes(t.copy().virtualSize()));
        } catch (QemuException e) {
          throw new AgentException.Failed(e.getMessage(), e);
        }
        created.add(t.path());
      }
    } catch (RuntimeException e) {
      delete(created);
      throw e;
    }
  }

  /** Removes images this host created; best effort, the caller reports the first problem. */
  static void delete(List<Path> images) {
    for (Path p : images) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        // Best effort; the caller is already failing or discarding and says so.
      }
    }
  }
}
