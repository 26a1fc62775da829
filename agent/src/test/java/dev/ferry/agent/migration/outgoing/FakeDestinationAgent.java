package dev.ferry.agent.migration.outgoing;

import dev.ferry.api.ApiError;
import dev.ferry.api.BandwidthSample;
import dev.ferry.api.HandoverRequest;
import dev.ferry.api.HostFacts;
import dev.ferry.api.IncomingCheck;
import dev.ferry.api.IncomingOffer;
import dev.ferry.api.IncomingRequest;
import dev.ferry.api.IncomingStatus;
import dev.ferry.common.Json;
import dev.ferry.migration.MigrationId;
import dev.ferry.qemu.VmSpec;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A destination agent on a real loopback HTTP socket, answering the routes a source calls, with
 * knobs to refuse, lose the migration or hang at each of them. It records every call in order.
 */
final class FakeDestinationAgent implements AutoCloseable {
  enum Handover {
    ACCEPT,
    REFUSE,
    HANG,
    NOT_FOUND
  }

  private final Javalin app;
  private final HostFacts facts;
  private final String url;
  final List<String> calls = new CopyOnWriteArrayList<>();
  volatile boolean refusePrepare;
  volatile boolean disksVisible = true;
  volatile boolean keepAliveNotFound;
  volatile Handover handover = Handover.ACCEPT;
  volatile Optional<String> checkProblem = Optional.empty();

  /** What prepare offers: a hostile destination offers anything here. */
  volatile String offeredUri = "tcp:127.0.0.1:49152";

  volatile String offeredNbdHost = "127.0.0.1";
  volatile Optional<MigrationId> offeredFor = Optional.empty();
  private final CountDownLatch hang = new CountDownLatch(1);
  private volatile long handedOverEpoch = -1;
  private volatile boolean aborted;

  FakeDestinationAgent(HostFacts facts) {
    this.facts = facts;
    this.app =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.concurrency.useVirtualThreads = true;
              config.jsonMapper(new JavalinJackson(Json.strict(), true));
              var r = config.routes;
              r.get("/v1/host", ctx -> record(ctx, "host").json(facts));
              r.post("/v1/incoming/check", this::check);
              r.post("/v1/incoming/bandwidth", ctx -> record(ctx, "bandwidth").json(sink()));
              r.post("/v1/incoming", this::prepare);
              r.post("/v1/incoming/{id}/keepalive", this::keepAlive);
              r.get("/v1/incoming/{id}", ctx -> record(ctx, "status").json(status(ctx)));
              r.post("/v1/incoming/{id}/handover", this::handover);
              r.delete("/v1/incoming/{id}", this::abort);
            });
    app.start("127.0.0.1", 0);
    this.url = "http://127.0.0.1:" + app.port();
  }

  String url() {
    return url;
  }

  HostFacts facts() {
    return facts;
  }

  boolean called(String what) {
    return calls.contains(what);
  }

  /** Stops answering at all (connections refused): the destination agent died. */
  void die() {
    hang.countDown();
    app.stop();
  }

  private Context record(Context ctx, String what) {
    calls.add(what);
    return ctx;
  }

  private void check(Context ctx) {
    record(ctx, "check");
    VmSpec spec = ctx.bodyAsClass(VmSpec.class);
    ctx.json(
        new IncomingCheck(
            checkProblem.map(List::of).orElse(List.of()),
            spec.disks().stream()
                .map(
                    d ->
                        new IncomingCheck.DiskVisibility(
                            d.id(), d.path().toString(), disksVisible, "fake"))
                .toList(),
            "/var/lib/ferry/images",
            10L << 30));
  }

  private void prepare(Context ctx) {
    record(ctx, "prepare");
    IncomingRequest r = ctx.bodyAsClass(IncomingRequest.class);
    if (refusePrepare) {
      error(ctx, 409, "cannot receive VM '" + r.spec().name() + "': no room for it");
      return;
    }
    boolean nbd = !r.copies().isEmpty();
    ctx.status(201)
        .json(
            new IncomingOffer(
                offeredFor.orElse(r.migration()),
                offeredUri,
                nbd ? Optional.of(offeredNbdHost) : Optional.empty(),
                nbd ? 10809 : 0));
  }

  private void keepAlive(Context ctx) {
    record(ctx, "keepalive");
    if (keepAliveNotFound) {
      error(ctx, 404, "no incoming migration " + ctx.pathParam("id"));
      return;
    }
    ctx.json(status(ctx));
  }

  private void handover(Context ctx) throws InterruptedException {
    record(ctx, "handover");
    long epoch = ctx.bodyAsClass(HandoverRequest.class).epoch();
    switch (handover) {
      case ACCEPT -> {
        handedOverEpoch = epoch;
        ctx.json(status(ctx));
      }
      case REFUSE -> error(ctx, 409, "cannot take over: the incoming stream is failed");
      case NOT_FOUND -> error(ctx, 404, "no incoming migration " + ctx.pathParam("id"));
      case HANG -> {
        hang.await(30, TimeUnit.SECONDS);
        error(ctx, 503, "gone");
      }
    }
  }

  private void abort(Context ctx) {
    record(ctx, "abort");
    if (handover == Handover.HANG && called("handover")) {
      // As a real destination: a side being taken over is not removed.
      error(ctx, 409, "migration " + ctx.pathParam("id") + " is being handed over");
      return;
    }
    if (handover == Handover.NOT_FOUND) {
      error(ctx, 404, "no incoming migration " + ctx.pathParam("id"));
      return;
    }
    aborted = true;
    ctx.json(status(ctx));
  }

  private IncomingStatus status(Context ctx) {
    MigrationId id = new MigrationId(ctx.pathParam("id"));
    if (handedOverEpoch >= 0) {
      return new IncomingStatus(
          id,
          "vm1",
          IncomingStatus.State.HANDED_OVER,
          Optional.empty(),
          Optional.of(handedOverEpoch));
    }
    return new IncomingStatus(
        id,
        "vm1",
        aborted ? IncomingStatus.State.ABORTED : IncomingStatus.State.RECEIVING,
        Optional.of("active"),
        Optional.empty());
  }

  private static void error(Context ctx, int status, String message) {
    ctx.status(status).json(new ApiError(status, "fake", message));
  }

  /** A real sink on loopback, as the agent's bandwidth sink: drains, then acknowledges. */
  private static BandwidthSample sink() throws IOException {
    ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    server.setSoTimeout(5000);
    Thread.ofVirtual()
        .start(
            () -> {
              try (server;
                  var s = server.accept();
                  InputStream in = s.getInputStream()) {
                byte[] buf = new byte[1 << 16];
                while (in.read(buf) >= 0) {
                  // drain
                }
                s.getOutputStream().write(1);
              } catch (IOException e) {
                // the sender gave up
              }
            });
    return new BandwidthSample(server.getLocalPort(), 0);
  }

  @Override
  public void close() {
    hang.countDown();
    app.stop();
  }
}
