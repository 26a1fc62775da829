package dev.ferry.agent.migration.outgoing;

import dev.ferry.qmp.FakeQmpServer;
import dev.ferry.qmp.FakeQmpServer.Connection;
import dev.ferry.qmp.FakeQmpServer.Request;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A source QEMU on a {@link FakeQmpServer}: it plays a pre-copy that reaches {@code pre-switchover}
 * after a few samples, completes on {@code migrate-continue}, cancels on {@code migrate_cancel},
 * mirrors disks (ready at once, completed or cancelled on {@code block-job-cancel}), and answers
 * the queries the engine makes. Knobs make it hold, stall, fail or refuse at a chosen point, so
 * each phase's abort and fault can be driven deterministically.
 */
final class FakeSourceQemu implements AutoCloseable {
  static final long RAM = 256L << 20;

  private final FakeQmpServer server;
  private volatile String status = "none";
  private final AtomicLong transferred = new AtomicLong();
  private final AtomicInteger samples = new AtomicInteger();
  private final Set<String> jobs = new CopyOnWriteArraySet<>();
  private final Set<String> nodes = new CopyOnWriteArraySet<>();
  private final Map<String, String> refusals = new ConcurrentHashMap<>();
  private volatile int samplesBeforeSwitchover = 3;
  private volatile boolean holdPrecopy;
  private volatile boolean stallStream;
  private volatile boolean holdSwitchover;
  private volatile boolean mirrorsNeverReady;
  private volatile String failAt;

  FakeSourceQemu(Path dir) throws IOException {
    server = FakeQmpServer.start(dir);
    server
        .on("calc-dirty-rate", FakeQmpServer.Script.reply("{}"))
        .on(
            "query-dirty-rate",
            FakeQmpServer.Script.reply(
                "{\"status\":\"measured\",\"sample-pages\":512,\"dirty-rate\":4,"
                    + "\"mode\":\"page-sampling\",\"start-time\":1,\"calc-time\":1}"))
        // As a QEMU that was itself received with post-copy allowed: the capability stays on.
        .on(
            "query-migrate-capabilities",
            FakeQmpServer.Script.reply(
                "[{\"capability\":\"postcopy-ram\",\"state\":true},"
                    + "{\"capability\":\"events\",\"state\":false}]"))
        .on("migrate-set-capabilities", this::maybeRefuse)
        .on("migrate-set-parameters", this::maybeRefuse)
        .on("migrate-start-postcopy", this::startPostcopy)
        .on("migrate", this::migrate)
        .on("query-migrate", this::queryMigrate)
        .on("migrate-continue", this::migrateContinue)
        .on("migrate_cancel", this::cancel)
        .on("query-named-block-nodes", this::namedNodes)
        .on("blockdev-add", this::blockdevAdd)
        .on("blockdev-del", this::blockdevDel)
        .on("blockdev-mirror", this::mirror)
        .on("query-block-jobs", this::queryJobs)
        .on("block-job-cancel", this::cancelJob);
  }

  Path socket() {
    return server.socket();
  }

  List<Request> received() {
    return server.received();
  }

  boolean receivedCommand(String name) {
    return server.received().stream().anyMatch(r -> r.command().equals(name));
  }

  String status() {
    return status;
  }

  Set<String> jobs() {
    return Set.copyOf(jobs);
  }

  Set<String> nodes() {
    return Set.copyOf(nodes);
  }

  /** Stays in pre-copy (never pauses for switchover) until released. */
  FakeSourceQemu holdPrecopy(boolean hold) {
    holdPrecopy = hold;
    return this;
  }

  /** The stream stops moving bytes (a cut network). */
  FakeSourceQemu stallStream() {
    stallStream = true;
    return this;
  }

  /** Stays in switchover ({@code device}) after {@code migrate-continue}. */
  FakeSourceQemu holdSwitchover() {
    holdSwitchover = true;
    return this;
  }

  FakeSourceQemu mirrorsNeverReady() {
    mirrorsNeverReady = true;
    return this;
  }

  /** The migration fails ({@code failed} status) once it reaches {@code status}. */
  FakeSourceQemu failAt(String at) {
    failAt = at;
    return this;
  }

  /** {@code command} answers with a GenericError. */
  FakeSourceQemu refuse(String command, String why) {
    refusals.put(command, why);
    return this;
  }

  /** Emits an event now (for faults the test injects). */
  void emit(String event, String data) throws IOException, InterruptedException {
    server.connection().event(event, data);
  }

  private boolean refused(Request r, Connection c) throws IOException {
    String why = refusals.get(r.command());
    if (why != null) {
      c.error(r, "GenericError", why);
      return true;
    }
    return false;
  }

  private void maybeRefuse(Request r, Connection c) throws IOException {
    if (!refused(r, c)) {
      c.reply(r, "{}");
    }
  }

  private void migrate(Request r, Connection c) throws IOException {
    if (refused(r, c)) {
      return;
    }
    c.reply(r, "{}");
    setStatus(c, "setup");
    setStatus(c, "active");
  }

  private void startPostcopy(Request r, Connection c) throws IOException {
    if (refused(r, c)) {
      return;
    }
    c.reply(r, "{}");
    setStatus(c, "postcopy-active");
  }

  private void queryMigrate(Request r, Connection c) throws IOException {
    if (refused(r, c)) {
      return;
    }
    String s = status;
    if (s.equals("active") || s.equals("postcopy-active")) {
      int n = samples.incrementAndGet();
      if (!stallStream) {
        transferred.addAndGet(RAM / 8);
      }
      if (n >= samplesBeforeSwitchover && !holdPrecopy && !stallStream && s.equals("active")) {
        setStatus(c, "pre-switchover");
        s = status;
      }
    }
    c.reply(r, migrateInfo(s));
  }

  private void migrateContinue(Request r, Connection c) throws IOException {
    if (refused(r, c)) {
      return;
    }
    c.reply(r, "{}");
    setStatus(c, "device");
    if (!holdSwitchover) {
      setStatus(c, "completed");
    }
  }

  private void cancel(Request r, Connection c) throws IOException {
    c.reply(r, "{}");
    if (!status.equals("completed") && !status.equals("failed")) {
      setStatus(c, "cancelling");
      setStatus(c, "cancelled");
    }
  }

  private void setStatus(Connection c, String to) throws IOException {
    if (to.equals(failAt)) {
      to = "failed";
    }
    status = to;
    c.event("MIGRATION", "{\"status\":\"" + to + "\"}");
  }

  private String migrateInfo(String s) {
    if (s.equals("none")) {
      return "{}";
    }
    long sent = Math.min(transferred.get(), RAM);
    String ram =
        "\"ram\":{\"total\":"
            + RAM
            + ",\"postcopy-requests\":0,\"dirty-sync-count\":"
            + (1 + samples.get() / 2)
            + ",\"multifd-bytes\":0,\"pages-per-second\":1000,\"downtime-bytes\":0,"
            + "\"page-size\":4096,\"remaining\":"
            + (RAM - sent)
            + ",\"postcopy-bytes\":0,\"mbps\":800.0,\"transferred\":"
            + sent
            + ",\"dirty-sync-missed-zero-copy\":0,\"precopy-bytes\":0,\"duplicate\":0,"
            + "\"dirty-pages-rate\":10,\"skipped\":0,\"normal-bytes\":"
            + sent
            + ",\"normal\":"
            + sent / 4096
            + "}";
    String tail = s.equals("completed") ? ",\"downtime\":12,\"total-time\":900" : "";
    String err = s.equals("failed") ? ",\"error-desc\":\"Unable to write to socket\"" : "";
    return "{\"status\":\"" + s + "\",\"expected-downtime\":20" + tail + err + "," + ram + "}";
  }

  private void namedNodes(Request r, Connection c) throws IOException {
    StringBuilder out = new StringBuilder("[");
    for (String n : nodes) {
      if (out.length() > 1) {
        out.append(',');
      }
      out.append("{\"node-name\":\"")
          .append(n)
          .append("\",\"drv\":\"nbd\",\"ro\":false,\"file\":\"nbd://x\",\"encrypted\":false,")
          .append("\"backing_file_depth\":0,\"detect_zeroes\":\"off\",\"iops_rd\":0,")
          .append(
              "\"image\":{\"virtual-size\":1048576,\"filename\":\"nbd://x\",\"format\":\"nbd\"}}");
    }
    c.reply(r, out.append(']').toString());
  }

  private void blockdevAdd(Request r, Connection c) throws IOException {
    if (refused(r, c)) {
      return;
    }
    nodes.add(r.arguments().path("node-name").asText());
    c.reply(r, "{}");
  }

  private void blockdevDel(Request r, Connection c) throws IOException {
    String node = r.arguments().path("node-name").asText();
    if (!nodes.remove(node)) {
      c.error(r, "GenericError", "Failed to find node with node-name='" + node + "'");
      return;
    }
    c.reply(r, "{}");
  }

  private void mirror(Request r, Connection c) throws IOException {
    if (refused(r, c)) {
      return;
    }
    String job = r.arguments().path("job-id").asText();
    jobs.add(job);
    c.reply(r, "{}");
    if (!mirrorsNeverReady) {
      c.event("BLOCK_JOB_READY", jobData(job));
    }
  }

  private void queryJobs(Request r, Connection c) throws IOException {
    StringBuilder out = new StringBuilder("[");
    for (String j : jobs) {
      if (out.length() > 1) {
        out.append(',');
      }
      long done = mirrorsNeverReady ? 0 : 1 << 20;
      out.append("{\"auto-finalize\":true,\"io-status\":\"ok\",\"device\":\"")
          .append(j)
          .append("\",\"auto-dismiss\":true,\"busy\":false,\"len\":1048576,\"offset\":")
          .append(done)
          .append(",\"status\":\"")
          .append(mirrorsNeverReady ? "running" : "ready")
          .append("\",\"paused\":false,\"speed\":0,\"ready\":")
          .append(!mirrorsNeverReady)
          .append(",\"type\":\"mirror\"}");
    }
    c.reply(r, out.append(']').toString());
  }

  private void cancelJob(Request r, Connection c) throws IOException {
    String job = r.arguments().path("device").asText();
    if (refused(r, c)) {
      return;
    }
    if (!jobs.remove(job)) {
      c.error(r, "DeviceNotActive", "Block job '" + job + "' not found");
      return;
    }
    c.reply(r, "{}");
    boolean force = r.arguments().path("force").asBoolean(false);
    c.event(
        force || mirrorsNeverReady ? "BLOCK_JOB_CANCELLED" : "BLOCK_JOB_COMPLETED", jobData(job));
  }

  private static String jobData(String job) {
    return "{\"type\":\"mirror\",\"device\":\""
        + job
        + "\",\"len\":1048576,\"offset\":1048576,\"speed\":0}";
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
