package dev.ferry.agent.migration.outgoing;

import dev.ferry.agent.blockjobs.BlockJobs;
import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import dev.ferry.migration.Plan;
import dev.ferry.migration.Progress;
import dev.ferry.qmp.BlockJobInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-disk mirror progress from {@code query-block-jobs}; the guest's write rate is how fast a
 * job's length grows between samples. Runner thread only.
 */
final class DiskProgressSampler {
  private record Sample(ByteSize length, Instant at) {}

  private final List<Plan.DiskCopy> copies;
  private final Map<String, Sample> last = new HashMap<>();

  DiskProgressSampler(List<Plan.DiskCopy> copies) {
    this.copies = copies;
  }

  List<Progress.DiskProgress> sample(BlockJobs jobs, Instant now) {
    if (copies.isEmpty()) {
      return List.of();
    }
    Map<String, BlockJobInfo> running = new HashMap<>();
    for (BlockJobInfo j : jobs.running()) {
      running.put(j.device(), j);
    }
    List<Progress.DiskProgress> out = new ArrayList<>();
    for (Plan.DiskCopy c : copies) {
      BlockJobInfo j = running.get(c.mirrorJob());
      if (j == null) {
        continue;
      }
      Sample prev = last.put(c.mirrorJob(), new Sample(j.len(), now));
      DataRate writes = DataRate.ZERO;
      if (prev != null && now.isAfter(prev.at()) && j.len().compareTo(prev.length()) > 0) {
        writes =
            DataRate.of(
                ByteSize.ofBytes(j.len().bytes() - prev.length().bytes()),
                Duration.between(prev.at(), now));
      }
      out.add(
          new Progress.DiskProgress(
              c.disk().id(),
              j.offset(),
              ByteSize.ofBytes(Math.max(0, j.len().bytes() - j.offset().bytes())),
              writes,
              j.ready()));
    }
    return out;
  }
}
