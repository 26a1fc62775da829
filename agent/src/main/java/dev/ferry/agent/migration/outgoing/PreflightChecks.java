package dev.ferry.agent.migration.outgoing;

import dev.ferry.agent.vm.OutgoingHandle;
import dev.ferry.api.AgentClient;
import dev.ferry.api.AgentUnreachableException;
import dev.ferry.api.ApiException;
import dev.ferry.api.HostFacts;
import dev.ferry.api.IncomingCheck;
import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import dev.ferry.migration.Measured;
import dev.ferry.migration.MigrationSettings;
import dev.ferry.migration.Plan;
import dev.ferry.migration.Prediction;
import dev.ferry.migration.Predictor;
import dev.ferry.qemu.DiskSpec;
import dev.ferry.qemu.QemuImg;
import dev.ferry.qemu.QemuQuirks;
import dev.ferry.qemu.VmSpec;
import dev.ferry.qmp.DirtyRateInfo;
import dev.ferry.qmp.MigrationCommand.CalcDirtyRate;
import dev.ferry.qmp.MigrationCommand.QueryDirtyRate;
import dev.ferry.qmp.QmpException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checks before anything is touched, then the measurements the prediction needs. Every refusal
 * names the host and the reason ("host-b lacks CPU flags avx512f"). The checks run on the
 * requesting thread (a refusal is the request's answer); the measurements run beside the
 * destination's preparation.
 */
final class PreflightChecks {
  private static final Logger log = LoggerFactory.getLogger(PreflightChecks.class);
  private static final int PROBE_BYTES = 32 << 20;
  private static final Duration DIRTY_RATE_WINDOW = Duration.ofSeconds(1);
  private static final Duration DIRTY_RATE_WAIT = Duration.ofSeconds(5);

  /** A reason not to migrate. */
  static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message);
    }
  }

  private final OutgoingContext ctx;
  private final OutgoingHandle handle;
  private final AgentClient dest;
  private final String destHost;
  private final MigrationSettings settings;
  private final String destUrl;

  PreflightChecks(PhaseContext phase) {
    this.ctx = phase.host();
    this.handle = phase.handle();
    this.dest = phase.dest();
    this.destHost = phase.destHost();
    this.destUrl = phase.destUrl();
    this.settings = phase.settings();
  }

  /** Checks both hosts and settles the plan; throws {@link Refused} with every problem found. */
  Plan run() {
    VmSpec spec = handle.spec();
    HostFacts src = ctx.facts().get();
    HostFacts dst;
    try {
      dst = dest.host();
    } catch (AgentUnreachableException | ApiException e) {
      throw new Refused("destination agent " + destHost + " does not answer: " + e.getMessage());
    }
    if (dst.hostname().equals(src.hostname())) {
      throw new Refused("the destination " + destHost + " is this host");
    }
    List<String> problems = new ArrayList<>();
    if (src.accelerator().accelerator() != dst.accelerator().accelerator()) {
      problems.add(
          "accelerator differs: "
              + src.hostname()
              + " runs "
              + src.accelerator().accelerator().qemuName()
              + ", "
              + dst.hostname()
              + " runs "
              + dst.accelerator().accelerator().qemuName());
    }
    if (padded(src) != padded(dst)) {
      problems.add(
          "QEMU "
              + src.qemu().version()
              + " on "
              + src.hostname()
              + " and "
              + dst.qemu().version()
              + " on "
              + dst.hostname()
              + " lay out TCG guest RAM differently (one pads it against a pre-9.0 dirty-tracking"
              + " bug); migrate between QEMUs on the same side of 9.0");
    }
    if (spec.cpuModel().equals("host") || spec.cpuModel().equals("max")) {
      Set<String> missing = new LinkedHashSet<>(src.cpu().flags());
      missing.removeAll(dst.cpu().flags());
      if (!missing.isEmpty()) {
        problems.add(
            "CPU model '"
                + spec.cpuModel()
                + "' exposes flags that "
                + dst.hostname()
                + " lacks: "
                + String.join(",", missing));
      }
    }
    List<String> capabilities = capabilities(src, dst, problems);
    IncomingCheck check;
    try {
      check = dest.checkIncoming(spec);
    } catch (AgentUnreachableException | ApiException e) {
      throw new Refused("destination " + destHost + " could not check the VM: " + e.getMessage());
    }
    problems.addAll(check.problems());
    List<Plan.DiskCopy> copies = new ArrayList<>();
    for (DiskSpec d : spec.disks()) {
      boolean visible =
          check.disks().stream().anyMatch(v -> v.disk().equals(d.id()) && v.visible());
      if (settings.copyStorage() || !visible) {
        var sizes = imageSizes(d.path(), d.format());
        copies.add(new Plan.DiskCopy(d, sizes.virtualSize(), sizes.allocated()));
      }
    }
    Plan plan = new Plan(handle.epoch(), capabilities, copies);
    ByteSize needed = plan.copiedBytes();
    if (plan.copiesDisks()
        && QemuImg.roomFor(needed).compareTo(ByteSize.ofBytes(check.localFreeBytes())) > 0) {
      problems.add(
          "not enough room on "
              + destHost
              + " for the disk copies: they need "
              + needed
              + " (+ "
              + QemuImg.COPY_MARGIN
              + "), "
              + check.localStorage()
              + " has "
              + ByteSize.ofBytes(check.localFreeBytes())
              + " free");
    }
    if (!problems.isEmpty()) {
      throw new Refused(String.join("; ", problems));
    }
    return plan;
  }

  /**
   * Measures the guest's dirty rate and the link, and predicts. Touches nothing, so it runs while
   * the destination prepares.
   */
  Measured measure(Plan plan) {
    VmSpec spec = handle.spec();
    DataRate dirty = measureDirtyRate();
    DataRate link = measureLink();
    DataRate effective = settings.bandwidth().filter(cap -> cap.compareTo(link) < 0).orElse(link);
    ByteSize diskBytes = plan.copiedBytes();
    Prediction provisional =
        Predictor.predict(
            spec.memory(),
            diskBytes,
            dirty,
            effective,
            settings.initialDowntime(),
            Duration.ofSeconds(60),
            ctx.estimates().current());
    Duration budget =
        settings
            .timeout()
            .orElseGet(
                () ->
                    Predictor.budgetFor(
                        provisional.converges()
                            ? provisional.duration()
                            : provisional.bandwidth().timeFor(spec.memory().plus(diskBytes))));
    Prediction prediction =
        Predictor.predict(
            spec.memory(),
            diskBytes,
            dirty,
            effective,
            settings.initialDowntime(),
            budget,
            ctx.estimates().current());
    log.info(
        "Preflight of {} to {}: dirty {}, link {}, budget {} s; {}",
        spec.name(),
        destHost,
        dirty,
        link,
        budget.toSeconds(),
        prediction.summary());
    return new Measured(dirty, link, prediction, budget);
  }

  /** Whether this host's QEMU runs guests with the TCG dirty-tracking RAM pad. */
  static boolean padded(HostFacts h) {
    return QemuQuirks.tcgRamPad(h.accelerator().accelerator(), h.qemu().version());
  }

  private List<String> capabilities(HostFacts src, HostFacts dst, List<String> problems) {
    List<String> srcCaps = src.qemu().migrationCapabilities();
    List<String> dstCaps = dst.qemu().migrationCapabilities();
    List<String> wanted = new ArrayList<>();
    List<String> required = new ArrayList<>();
    wanted.add("events");
    wanted.add("pause-before-switchover");
    wanted.add("return-path");
    wanted.add("late-block-activate");
    wanted.add("validate-uuid");
    if (settings.autoConverge()) {
      wanted.add("auto-converge");
    }
    if (settings.allowPostcopy()) {
      wanted.add("postcopy-ram");
      required.add("postcopy-ram");
    }
    if (settings.multifdChannels() > 1) {
      wanted.add("multifd");
      required.add("multifd");
    }
    for (String r : required) {
      if (!srcCaps.contains(r)) {
        problems.add("QEMU on " + src.hostname() + " lacks migration capability " + r);
      }
      if (!dstCaps.contains(r)) {
        problems.add("QEMU on " + dst.hostname() + " lacks migration capability " + r);
      }
    }
    return wanted.stream().filter(srcCaps::contains).filter(dstCaps::contains).toList();
  }

  private static QemuImg.Info imageSizes(
      java.nio.file.Path image, dev.ferry.qemu.DiskFormat format) {
    try {
      return QemuImg.info(image, format);
    } catch (dev.ferry.qemu.QemuException e) {
      throw new Refused("cannot read image " + image + ": " + e.getMessage());
    }
  }

  private DataRate measureDirtyRate() {
    try {
      handle.qmp().call(new CalcDirtyRate(DIRTY_RATE_WINDOW));
      Instant deadline = ctx.clock().instant().plus(DIRTY_RATE_WAIT);
      while (ctx.clock().instant().isBefore(deadline)) {
        // QEMU emits no event when calc-dirty-rate finishes; query-dirty-rate is the only way.
        Thread.sleep(DIRTY_RATE_WINDOW.toMillis() / 4);
        DirtyRateInfo info = handle.qmp().call(new QueryDirtyRate());
        if (info.status() == DirtyRateInfo.Status.MEASURED) {
          return info.dirtyRate().orElse(DataRate.ZERO);
        }
      }
      log.warn("Dirty rate of {} not measured in time; assuming 0", handle.spec().name());
    } catch (QmpException e) {
      log.warn("Dirty rate of {} not measurable: {}", handle.spec().name(), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return DataRate.ZERO;
  }

  /**
   * Times bursts of filler through a TCP sink the destination opens on its migration address: the
   * same path the stream takes. The first, small burst warms the path; the best of the timed ones
   * counts.
   */
  private DataRate measureLink() {
    String host = java.net.URI.create(destUrl).getHost();
    DataRate best = DataRate.ZERO;
    try {
      burst(host, 1 << 20);
      for (int i = 0; i < 2; i++) {
        DataRate r = burst(host, PROBE_BYTES);
        best = r.compareTo(best) > 0 ? r : best;
      }
      return best;
    } catch (AgentUnreachableException | ApiException | java.io.IOException e) {
      throw new Refused("bandwidth to " + destHost + " not measurable: " + e.getMessage());
    }
  }

  private DataRate burst(String host, int bytes) throws java.io.IOException {
    int port = (int) dest.openBandwidthSink().port();
    byte[] chunk = new byte[1 << 16];
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new java.net.InetSocketAddress(host, port), 5000);
      s.setSoTimeout(10_000);
      // The link's rate is a real-time measurement: it reads the monotonic clock, not ctx.clock().
      long start = System.nanoTime();
      var out = s.getOutputStream();
      for (int sent = 0; sent < bytes; sent += chunk.length) {
        out.write(chunk);
      }
      s.shutdownOutput();
      if (s.getInputStream().read() < 0) {
        throw new java.io.IOException("the sink closed without acknowledging");
      }
      long nanos = Math.max(1, System.nanoTime() - start);
      return DataRate.ofBytesPerSecond(Math.round(bytes * 1e9 / nanos));
    }
  }
}
