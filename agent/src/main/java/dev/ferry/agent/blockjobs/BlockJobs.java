package dev.ferry.agent.blockjobs;

import dev.ferry.common.DataRate;
import dev.ferry.qmp.BlockCommand;
import dev.ferry.qmp.BlockJobInfo;
import dev.ferry.qmp.BlockNode;
import dev.ferry.qmp.BlockNodeInfo;
import dev.ferry.qmp.QmpClient;
import dev.ferry.qmp.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The block-job commands Ferry's disk copies are made of, in one place: a writable NBD target node,
 * a full mirror onto it, completion (cancel of a ready mirror: the copy stays identical to the
 * source, the source keeps its disk), forced cancellation, and clean-up of the target node. Every
 * command carries its own timeout. Waiting for jobs is event-driven: the callers route QEMU's
 * {@code BLOCK_JOB_*} events into their own loop (the migration runner's inbox). Stateless;
 * thread-safe as the QMP client is.
 */
public final class BlockJobs {
  private final QmpClient qmp;
  private final Duration timeout;

  public BlockJobs(QmpClient qmp, Duration timeout) {
    this.qmp = qmp;
    this.timeout = timeout;
  }

  /** Adds a block node writing to the NBD export {@code export} at {@code host:port}. */
  public void addNbdTarget(String node, String host, int port, String export) {
    qmp.call(
        new BlockCommand.BlockdevAdd(
            new BlockNode.Nbd(node, new SocketAddress.Inet(host, port), export)),
        timeout);
  }

  /** Starts a full mirror of {@code source} onto {@code target}, capped at {@code speed}. */
  public void mirror(String job, String source, String target, Optional<DataRate> speed) {
    qmp.call(
        new BlockCommand.BlockdevMirror(
            job,
            source,
            target,
            BlockCommand.BlockdevMirror.SyncMode.FULL,
            speed,
            Optional.empty(),
            Optional.empty(),
            Optional.empty()),
        timeout);
  }

  /**
   * Ends a ready mirror consistently without switching the guest to the copy: QEMU flushes the last
   * writes to the target and emits {@code BLOCK_JOB_COMPLETED}.
   */
  public void complete(String job) {
    qmp.call(new BlockCommand.BlockJobCancel(job, Optional.empty()), timeout);
  }

  /** Stops a job now, whatever its state ({@code BLOCK_JOB_CANCELLED}). */
  public void forceCancel(String job) {
    qmp.call(new BlockCommand.BlockJobCancel(job, Optional.of(true)), timeout);
  }

  /** The jobs QEMU runs now. */
  public List<BlockJobInfo> running() {
    return qmp.call(new BlockCommand.QueryBlockJobs(), timeout);
  }

  /** The ids of the jobs QEMU runs now. */
  public Set<String> runningIds() {
    return running().stream().map(BlockJobInfo::device).collect(Collectors.toSet());
  }

  /** The named block nodes that exist now. */
  public Set<String> nodeNames() {
    return qmp.call(new BlockCommand.QueryNamedBlockNodes(), timeout).stream()
        .map(BlockNodeInfo::nodeName)
        .flatMap(Optional::stream)
        .collect(Collectors.toSet());
  }

  /** Removes a block node (a mirror's target, once its job ended). */
  public void deleteNode(String node) {
    qmp.call(new BlockCommand.BlockdevDel(node), timeout);
  }
}
