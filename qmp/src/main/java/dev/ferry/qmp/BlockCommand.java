package dev.ferry.qmp;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.ferry.common.DataRate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Commands on block nodes, block jobs and NBD exports: what disk mirroring to a destination host
 * needs (destination: nbd-server-start, block-export-add; source: blockdev-add of an NBD client,
 * blockdev-mirror, block-job-complete).
 */
public sealed interface BlockCommand<R> extends QmpCommand<R> {

  /** Adds a block node; the node's own options are the arguments. */
  record BlockdevAdd(BlockNode node) implements BlockCommand<Void> {
    public BlockdevAdd {
      Objects.requireNonNull(node, "node");
    }

    @Override
    public String commandName() {
      return "blockdev-add";
    }

    @Override
    public ReplyType<Void> replyType() {
      return ReplyType.NONE;
    }

    @Override
    public Object arguments() {
      return node;
    }
  }

  /** Removes a block node nobody uses any more. */
  record BlockdevDel(String nodeName) implements BlockCommand<Void> {
    public BlockdevDel {
      QmpIds.requireNodeName(nodeName, "nodeName");
    }

    @Override
    public String commandName() {
      return "blockdev-del";
    }

    @Override
    public ReplyType<Void> replyType() {
      return ReplyType.NONE;
    }
  }

  /**
   * Starts mirroring node {@code device} to node {@code target} as job {@code jobId}. The job emits
   * BLOCK_JOB_READY once both are in sync and keeps them in sync until {@link BlockJobComplete}
   * (switch to the target) or {@link BlockJobCancel}.
   *
   * @param speed rate limit; absent or zero means unlimited
   * @param copyMode {@link CopyMode#WRITE_BLOCKING} makes guest writes wait for the target, so the
   *     mirror converges even under heavy writes
   * @param autoFinalize false keeps the job in {@code pending} until {@link JobFinalize}
   * @param autoDismiss false keeps the job in {@code concluded} until {@link JobDismiss}
   */
  record BlockdevMirror(
      String jobId,
      String device,
      String target,
      SyncMode sync,
      Optional<DataRate> speed,
      Optional<CopyMode> copyMode,
      Optional<Boolean> autoFinalize,
      Optional<Boolean> autoDismiss)
      implements BlockCommand<Void> {
    public BlockdevMirror {
      QmpIds.requireId(jobId, "jobId");
      QmpIds.requireId(device, "device");
      QmpIds.requireNodeName(target, "target");
      Objects.requireNonNull(sync, "sync");
      Objects.requireNonNull(speed, "speed");
      Objects.requireNonNull(copyMode, "copyMode");
      Objects.requireNonNull(autoFinalize, "autoFinalize");
      Objects.requireNonNull(autoDismiss, "autoDismiss");
    }

    /** A mirror with QEMU's defaults: unlimited speed, background copy, auto-finalize/dismiss. */
    public BlockdevMirror(String jobId, String device, String target, SyncMode sync) {
      this(
          jobId,
          device,
          target,
          sync,
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty());
    }

    @Override
    public String commandName() {
      return "blockdev-mirror";
    }

    @Override
    public ReplyType<Void> replyType() {
      return ReplyType.NONE;
    }

    /** What to copy: the whole chain, the top image only, or only new writes. */
    public enum SyncMode {
      TOP,
      FULL,
      NONE
    }

    public enum CopyMode {
      BACKGROUND,
      WRITE_BLOCKING
    }
  }

  /** Switches a ready mirror over to its target and ends the job. */
  record BlockJobComplete(String device) implements BlockCommand<Void> {
    public BlockJobComplete {
      QmpIds.requireId(device, "device");
    }

    @Override
    public String commandName() {
      return "block-job-complete";
    }

    @Override
    public ReplyType<Void> replyType() {
      return ReplyType.NONE;
    }
  }

  /**
   * Cancels a job. Beware: cancelling a <em>ready</em> mirror without {@code force} ends it without
   * switching over, but QEMU reports it as BLOCK_JOB_COMPLETED; with {@code force} it is
   * BLOCK_JOB_CANCELLED.
   */
  record BlockJobCancel(String device, Optional<Boolean> force) implements BlockCommand<Void> {
    public BlockJobCancel {
      QmpIds.requireId(device, "device");
      Objects.requireNonNull(force, "force");
    }

    public BlockJobCancel(String device, boolean force) {
      this(device, Optional.of(force));
    }

    @Override
    public String commandName() {
      return "block-job-cancel";
    }

    @Override
    public ReplyType<Void> replyType() {
      return ReplyType.NONE;
    }
  }

  /** Changes a running job's rate limit; zero means unlimited. */
  record BlockJobSetSpeed(String device, DataRate speed) implements BlockCommand<Void> {
    public BlockJobSetSpeed {
      QmpIds.requireId(device, "device");
      Objects.requireNonNull(speed, "speed");
    }

    @Override
    public String commandName() {
      return "block-job-set-speed";
    }

    @Override
    public ReplyType<Void> replyType() {
      return ReplyType.NONE;
    }
  }

  record QueryBlockJobs() implements BlockCommand<List<BlockJobInfo>> {
    @Override
    public String commandName() {
      return "query-block-jobs";
    }

    @Override
    public ReplyType<List<BlockJobInfo>> replyType() {
      return ReplyType.listOf(BlockJobInfo.class);
    }
  }

  /** Finalizes a job waiting in {@code pending} (started with auto-finalize off). */
  record JobFinalize(String id) implements BlockCommand<Void> {
    public JobFinalize {
      QmpIds.requireId(id, "id");
    }

    @Override
    public String commandName() {
      return "job-finalize";
    }

    @Override
    public ReplyType<Void> replyType() {
      return ReplyType.NONE;
    }
  }

  /** Removes a job in {@code concluded} (started with auto-dismiss off). */
  record JobDismiss(String id) implements BlockCommand<Void> {
    public JobDismiss {
      QmpIds.requireId(id, "id");
    }

    @Override
    public String commandName() {
      return "job-dismiss";
    }

    @Override
    public ReplyType<Void> replyType() {
      return ReplyType.NONE;
    }
  }

  /** Lists every named block node, each once. */
  record QueryNamedBlockNodes() implements BlockCommand<List<BlockNodeInfo>> {
    @Override
    public String commandName() {
      return "query-named-block-nodes";
    }

    @Override
    public ReplyType<List<BlockNodeInfo>> replyType() {
      return ReplyType.listOf(BlockNodeInfo.class);
    }

    @Override
    public Object arguments() {
      return Flat.INSTANCE;
    }

    // Without "flat", QEMU nests each node's backing chain inside it; we want one entry a node.
    private record Flat(boolean flat) {
      static final Flat INSTANCE = new Flat(true);
    }
  }

  /**
   * Starts QEMU's built-in NBD server (one per QEMU). Exports are added with {@link
   * BlockExportAdd}.
   */
  record NbdServerStart(
      @JsonSerialize(using = QmpUnits.LegacySocketAddressSerializer.class) SocketAddress addr,
      Optional<String> tlsCreds,
      Optional<Integer> maxConnections)
      implements BlockCommand<Void> {
    public NbdServerStart {
      Objects.requireNonNull(addr, "addr");
      Objects.requireNonNull(tlsCreds, "tlsCreds");
      Objects.requireNonNull(maxConnections, "maxConnections");
      if (maxConnections.isPresent() && maxConnections.get() < 0) {
        throw new IllegalArgumentException(
            "maxConnections must not be negative: " + maxConnections);
      }
    }

    public NbdServerStart(SocketAddress addr) {
      this(addr, Optional.empty(), Optional.empty());
    }

    @Override
    public String commandName() {
      return "nbd-server-start";
    }

    @Override
    public ReplyType<Void> replyType() {
      return ReplyType.NONE;
    }
  }

  /** Stops the NBD server and drops its exports. */
  record NbdServerStop() implements BlockCommand<Void> {
    @Override
    public String commandName() {
      return "nbd-server-stop";
    }

    @Override
    public ReplyType<Void> replyType() {
      return ReplyType.NONE;
    }
  }

  /**
   * Exports node {@code nodeName} over the NBD server as export {@code name} (defaults to the node
   * name); {@code id} names the export for {@link BlockExportDel}.
   */
  @JsonPropertyOrder({"type", "id"})
  record BlockExportAdd(
      String id, String nodeName, Optional<Boolean> writable, Optional<String> name)
      implements BlockCommand<Void> {
    public BlockExportAdd {
      QmpIds.requireId(id, "id");
      QmpIds.requireNodeName(nodeName, "nodeName");
      Objects.requireNonNull(writable, "writable");
      Objects.requireNonNull(name, "name");
    }

    public BlockExportAdd(String id, String nodeName, boolean writable, String name) {
      this(id, nodeName, Optional.of(writable), Optional.of(name));
    }

    /** The export type; only NBD exports are modelled. */
    @JsonProperty("type")
    public String type() {
      return "nbd";
    }

    @Override
    public String commandName() {
      return "block-export-add";
    }

    @Override
    public ReplyType<Void> replyType() {
      return ReplyType.NONE;
    }
  }

  /**
   * Removes an export. In {@link Mode#SAFE} (the default) QEMU refuses while NBD clients are
   * connected; {@link Mode#HARD} disconnects them.
   */
  record BlockExportDel(String id, Optional<Mode> mode) implements BlockCommand<Void> {
    public BlockExportDel {
      QmpIds.requireId(id, "id");
      Objects.requireNonNull(mode, "mode");
    }

    public BlockExportDel(String id) {
      this(id, Optional.empty());
    }

    @Override
    public String commandName() {
      return "block-export-del";
    }

    @Override
    public ReplyType<Void> replyType() {
      return ReplyType.NONE;
    }

    public enum Mode {
      SAFE,
      HARD
    }
  }
}
