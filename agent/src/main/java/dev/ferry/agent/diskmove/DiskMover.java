package dev.ferry.agent.diskmove;

import dev.ferry.agent.AgentException;
import dev.ferry.agent.blockjobs.JobWatch;
import dev.ferry.agent.storage.LiveNodes;
import dev.ferry.agent.storage.StorageRoots;
import dev.ferry.agent.vm.DiskMoveHandle;
import dev.ferry.agent.vm.VmService;
import dev.ferry.api.VmInfo;
import dev.ferry.common.ByteSize;
import dev.ferry.qemu.DiskFormat;
import dev.ferry.qemu.DiskSpec;
import dev.ferry.qemu.QemuException;
import dev.ferry.qemu.QemuImg;
import dev.ferry.qemu.VmSpec;
import dev.ferry.qmp.BlockCommand;
import dev.ferry.qmp.BlockNode;
import dev.ferry.qmp.QmpException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves one disk of a running VM to another directory of this host's storage roots while the guest
 * runs and writes (what vSphere calls Storage vMotion): a thin target image, a mirror of the disk
 * into it, then a pivot so the guest's device reads the new image; the definition is updated and
 * the old image removed (unless kept). Any failure before the pivot cancels the mirror, removes the
 * target and leaves the VM on its old disk. Runs on the caller's thread.
 */
public final class DiskMover {
  private static final Logger log = LoggerFactory.getLogger(DiskMover.class);
  private static final Duration CANCEL_PATIENCE = Duration.ofSeconds(30);
  private static final Duration MIN_PATIENCE = Duration.ofMinutes(2);

  private final VmService vms;
  private final StorageRoots storage;

  public DiskMover(VmService vms, StorageRoots storage) {
    this.vms = vms;
    this.storage = storage;
  }

  /**
   * Moves disk {@code diskId} of VM {@code vm} into {@code targetDir}.
   *
   * @param keepSource leave the old image where it was
   */
  public VmInfo move(String vm, String diskId, String targetDir, boolean keepSource) {
    Path dir = storage.confineDirectory(targetDir, "target directory");
    DiskMoveHandle handle = vms.beginDiskMove(vm, "disk move of " + diskId);
    String why = "";
    try {
      VmSpec spec = handle.spec();
      DiskSpec disk =
          spec.disks().stream()
              .filter(d -> d.id().equals(diskId))
              .findFirst()
              .orElseThrow(
                  () ->
                      new AgentException.NotFound(
                          "VM '" + vm + "' has no disk '" + diskId + "'; it has " + ids(spec)));
      if (disk.readOnly()) {
        throw new AgentException.Conflict("disk " + diskId + " is read-only; copy it instead");
      }
      Path target = dir.resolve(disk.path().getFileName());
      if (dir.equals(disk.path().getParent())) {
        throw new AgentException.BadRequest(
            "disk " + diskId + " of VM '" + vm + "' is already in " + dir);
      }
      if (Files.exists(target)) {
        throw new AgentException.Conflict(target + " exists already; nothing was changed");
      }
      QemuImg.Info sizes = sizes(disk.path(), disk.format());
      long free = usable(dir);
      if (QemuImg.roomFor(sizes.allocated()).bytes() > free) {
        throw new AgentException.Conflict(
            "not enough room in "
                + dir
                + " for disk "
                + diskId
                + ": it needs "
                + sizes.allocated()
                + " (+ "
                + QemuImg.COPY_MARGIN
                + "), "
                + ByteSize.ofBytes(free)
                + " free");
      }
      createTarget(target, disk.format(), sizes.virtualSize());
      try {
        pivot(
            handle,
            disk,
            target,
            Duration.ofSeconds(Math.max(120, sizes.allocated().bytes() >> 23)));
      } catch (QmpException e) {
        deleteQuietly(target);
        throw new AgentException.Failed(
            "moving disk " + diskId + " failed, the VM stays on its old disk: " + e.getMessage(),
            e);
      } catch (RuntimeException e) {
        deleteQuietly(target);
        throw e;
      }
      List<DiskSpec> disks = new ArrayList<>();
      for (DiskSpec d : spec.disks()) {
        disks.add(d.id().equals(diskId) ? new DiskSpec(d.id(), target, d.format(), false) : d);
      }
      handle.finish(
          new VmSpec(
              spec.name(),
              spec.uuid(),
              spec.vcpus(),
              spec.memory(),
              spec.machine(),
              spec.cpuModel(),
              spec.boot(),
              disks,
              spec.nics()));
      handle = null;
      if (!keepSource) {
        deleteQuietly(disk.path());
      }
      log.info("VM {}: disk {} moved from {} to {}", vm, diskId, disk.path(), target);
      return vms.get(vm);
    } catch (RuntimeException e) {
      why = e.getMessage();
      throw e;
    } finally {
      if (handle != null) {
        handle.abandon(why);
      }
    }
  }

  /** Mirrors the disk into the new image and switches the guest's device to it. */
  private static void pivot(DiskMoveHandle handle, DiskSpec disk, Path target, Duration patience) {
    var qmp = handle.qmp();
    String source = LiveNodes.formatNode(qmp, disk);
    String node = disk.id() + "-m" + Long.toString(System.currentTimeMillis() % 1_000_000, 36);
    String fileNode = node + "-file";
    String job = "move-" + disk.id();
    Duration wait = patience.compareTo(MIN_PATIENCE) < 0 ? MIN_PATIENCE : patience;
    qmp.call(
        new BlockCommand.BlockdevAdd(
            new BlockNode.File(fileNode, target, BlockNode.NodeOptions.DEFAULTS)));
    boolean mirroring = false;
    boolean done = false;
    JobWatch watch = JobWatch.on(qmp, job);
    try {
      qmp.call(
          new BlockCommand.BlockdevAdd(
              disk.format() == DiskFormat.QCOW2
                  ? new BlockNode.Qcow2(node, fileNode, BlockNode.NodeOptions.DEFAULTS)
                  : new BlockNode.Raw(node, fileNode, BlockNode.NodeOptions.DEFAULTS)));
      qmp.call(
          new BlockCommand.BlockdevMirror(
              job, source, node, BlockCommand.BlockdevMirror.SyncMode.FULL));
      mirroring = true;
      watch.awaitReady(wait);
      qmp.call(new BlockCommand.BlockJobComplete(job));
      Optional<String> error = watch.awaitEnded(wait);
      mirroring = false;
      if (error.isPresent()) {
        throw new AgentException.Failed("the mirror " + job + " failed: " + error.get(), null);
      }
      done = true;
    } catch (JobWatch.BlockJobException e) {
      throw new AgentException.Failed(e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AgentException.Failed("interrupted while waiting for " + job, e);
    } finally {
      if (!done) {
        if (mirroring) {
          cancel(qmp, watch, job, disk);
        }
        dropQuietly(qmp, node);
        dropQuietly(qmp, fileNode);
      }
      watch.close();
    }
    // The device reads the new node now; the old image is closed when its nodes go.
    dropQuietly(qmp, source);
    dropQuietly(qmp, source + "-file");
  }

  private static void cancel(
      dev.ferry.qmp.QmpClient qmp, JobWatch watch, String job, DiskSpec disk) {
    try {
      qmp.call(new BlockCommand.BlockJobCancel(job, Optional.of(true)));
      watch.awaitEnded(CANCEL_PATIENCE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.warn("disk move of {}: cancelling {} failed: {}", disk.id(), job, e.toString());
    }
  }

  private static void dropQuietly(dev.ferry.qmp.QmpClient qmp, String node) {
    try {
      qmp.call(new BlockCommand.BlockdevDel(node));
    } catch (RuntimeException e) {
      log.debug("blockdev-del {}: {}", node, e.toString());
    }
  }

  private static QemuImg.Info sizes(Path image, DiskFormat format) {
    try {
      return QemuImg.info(image, format);
    } catch (QemuException e) {
      throw new AgentException.Failed("cannot read image " + image + ": " + e.getMessage(), e);
    }
  }

  private static void createTarget(Path target, DiskFormat format, ByteSize virtualSize) {
    try {
      QemuImg.create(target, format, virtualSize);
    } catch (QemuException e) {
      throw new AgentException.Failed(e.getMessage(), e);
    }
  }

  private static long usable(Path dir) {
    try {
      return Files.getFileStore(dir).getUsableSpace();
    } catch (IOException e) {
      throw new AgentException.Failed("cannot read free space of " + dir, e);
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      log.warn("could not remove {}: {}", p, e.toString());
    }
  }

  private static String ids(VmSpec spec) {
    return spec.disks().isEmpty()
        ? "none"
        : String.join(", ", spec.disks().stream().map(DiskSpec::id).toList());
  }
}
