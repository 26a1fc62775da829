package dev.ferry.agent.storage;

import dev.ferry.qemu.DiskSpec;
import dev.ferry.qmp.BlockCommand;
import dev.ferry.qmp.BlockNodeInfo;
import dev.ferry.qmp.QmpClient;

/**
 * Finds the block node a disk's guest device reads from in a running QEMU. It is the disk's {@code
 * id} as the command line named it, unless the disk was moved live since QEMU started: then it is
 * the node the move switched to, found by the image path it opens.
 */
public final class LiveNodes {
  private LiveNodes() {}

  /** The format node of {@code disk} in the QEMU behind {@code qmp}. */
  public static String formatNode(QmpClient qmp, DiskSpec disk) {
    String path = disk.path().toString();
    for (BlockNodeInfo n : qmp.call(new BlockCommand.QueryNamedBlockNodes())) {
      if (n.driver().equals(disk.format().qemuName())
          && n.file().equals(path)
          && n.nodeName().isPresent()) {
        return n.nodeName().get();
      }
    }
    return disk.id();
  }
}
