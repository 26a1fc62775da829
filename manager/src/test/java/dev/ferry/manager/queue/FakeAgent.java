package dev.ferry.manager.queue;

import dev.ferry.api.AgentEvent;
import dev.ferry.api.ApiError;
import dev.ferry.common.Json;
import dev.ferry.migration.MigrationId;
import dev.ferry.migration.MigrationRecord;
import dev.ferry.migration.MigrationSettings;
import io.javalin.Javalin;
import io.javalin.http.sse.SseClient;
import io.javalin.json.JavalinJackson;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A source agent for the queue's component tests: serves over real HTTP on loopback the few agent
 * routes the queue calls (start, list, read and abort migrations, and the server-sent event stream)
 * from records the test sets. Events are published only when the test says so, and the test can cut
 * every open stream, so following by events and by fallback reads can each be shown alone.
 */
public final class FakeAgent implements AutoCloseable {
  private final String host;
  private final Javalin app;
  private final Map<String, MigrationRecord> migrations = new ConcurrentHashMap<>();
  private final List<LinkedBlockingQueue<AgentEvent>> streams = new CopyOnWriteArrayList<>();
  private final AtomicLong seq = new AtomicLong();
  private final AtomicInteger reads = new AtomicInteger();
  private final AtomicInteger opened = new AtomicInteger();
  private volatile boolean cut;

  public FakeAgent(String host) {
    this.host = host;
    this.app =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.concurrency.useVirtualThreads = true;
              config.jsonMapper(new JavalinJackson(Json.strict(), true));
              config.jetty.modifyServer(
                  server -> {
                    ServerConnector tcp = new ServerConnector(server);
                    tcp.setHost("127.0.0.1");
                    tcp.setPort(0);
                    server.addConnector(tcp);
                  });
              var r = config.routes;
              r.post(
                  "/v1/vms/{name}/migrate",
                  ctx -> {
                    String vm = ctx.pathParam("name");
                    MigrationRecord rec =
                        MigrationRecord.begin(
                            new MigrationId(agentId(vm)),
                            vm,
                            host,
                            "elsewhere",
                            Instant.now(),
                            MigrationSettings.defaults());
                    migrations.put(rec.id().value(), rec);
                    ctx.status(201).json(rec);
                  });
              r.get("/v1/migrations", ctx -> ctx.json(List.copyOf(migrations.values())));
              r.get(
                  "/v1/migrations/{id}",
                  ctx -> {
                    reads.incrementAndGet();
                    MigrationRecord rec = migrations.get(ctx.pathParam("id"));
                    if (rec == null) {
                      ctx.status(404).json(new ApiError(404, "not_found", "no such migration"));
                    } else {
                      ctx.json(rec);
                    }
                  });
              r.sse("/v1/events", this::stream);
            });
    app.start();
  }

  private void stream(SseClient client) {
    LinkedBlockingQueue<AgentEvent> queue = new LinkedBlockingQueue<>();
    streams.add(queue);
    opened.incrementAndGet();
    client.keepAlive();
    try {
      while (!client.terminated() && !cut) {
        AgentEvent e = queue.poll(20, TimeUnit.MILLISECONDS);
        if (e != null) {
          client.sendEvent(e.type().text(), e, Long.toString(e.seq()));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      streams.remove(queue);
      client.close();
    }
  }

  public String url() {
    int port = ((ServerConnector) app.jettyServer().server().getConnectors()[0]).getLocalPort();
    return "http://127.0.0.1:" + port;
  }

  /** The id this agent gives the migration of {@code vm} (one per VM is all the tests need). */
  String agentId(String vm) {
    return String.format("m-%012x", vm.hashCode() & 0xffffffffL);
  }

  Optional<MigrationRecord> migration(String vm) {
    return Optional.ofNullable(migrations.get(agentId(vm)));
  }

  /** Changes a migration's record; nobody is told. */
  void set(MigrationRecord r) {
    migrations.put(r.id().value(), r);
  }

  /** Changes a migration's record and publishes a migration event about it. */
  public void publish(MigrationRecord r, AgentEvent.Type type) {
    set(r);
    AgentEvent e =
        new AgentEvent(
            seq.incrementAndGet(),
            Instant.now(),
            type,
            Optional.of(r.vm()),
            Optional.empty(),
            r.state().label(),
            Optional.of(r.id().value()),
            Optional.empty());
    streams.forEach(q -> q.offer(e));
  }

  /** Closes every open event stream and every one opened from now on. */
  public void cutStreams() {
    cut = true;
  }

  /** Lets event streams be opened again after {@link #cutStreams()}. */
  public void restoreStreams() {
    cut = false;
  }

  public int openStreams() {
    return streams.size();
  }

  public int streamsOpened() {
    return opened.get();
  }

  int reads() {
    return reads.get();
  }

  @Override
  public void close() {
    cut = true;
    app.stop();
  }
}
