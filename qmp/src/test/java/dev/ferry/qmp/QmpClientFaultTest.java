package dev.ferry.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.common.ByteSize;
import dev.ferry.qmp.FakeQmpServer.Request;
import dev.ferry.qmp.FakeQmpServer.Script;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The client against a scripted server on a real UNIX socket: faults QEMU won't make on cue. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class QmpClientFaultTest {

  private static final Duration SHORT = Duration.ofMillis(300);
  private static final Duration PROMPTLY = Duration.ofSeconds(2);
  private static final QmpOptions OPTIONS =
      QmpOptions.defaults()
          .withConnectTimeout(Duration.ofSeconds(5))
          .withCommandTimeout(Duration.ofSeconds(5));

  @TempDir Path dir;
  private FakeQmpServer server;
  private QmpClient client;

  @BeforeEach
  void startServer() throws Exception {
    server = FakeQmpServer.start(dir);
  }

  @AfterEach
  void stopAll() throws Exception {
    if (client != null) {
      client.close();
    }
    server.close();
  }

  private QmpClient connect() {
    client = QmpClient.connect(server.socket(), OPTIONS);
    return client;
  }

  private static Throwable failureOf(CompletableFuture<?> future) {
    assertThatThrownBy(future::join).isInstanceOf(CompletionException.class);
    return future.handle((value, error) -> error).join();
  }

  @Test
  void connectReadsTheGreetingAndLeavesNegotiationMode() {
    connect();
    assertThat(client.greeting().version()).isEqualTo(new QemuVersion(7, 2, 0, "fake"));
    assertThat(client.greeting().capabilities()).containsExactly("oob");
    assertThat(server.received()).extracting(Request::command).containsExactly("qmp_capabilities");
    assertThat(client.isOpen()).isTrue();
  }

  @Test
  void everyRequestCarriesAUniqueId() {
    server.on("query-name", Script.reply("{}"));
    connect();
    for (int i = 0; i < 5; i++) {
      client.call(new VmCommand.QueryName());
    }
    assertThat(server.received()).extracting(r -> r.id().asLong()).doesNotHaveDuplicates();
  }

  @Test
  void connectWithoutGreetingTimesOut() {
    server.withoutGreeting();
    assertThatThrownBy(() -> QmpClient.connect(server.socket(), OPTIONS.withConnectTimeout(SHORT)))
        .isInstanceOf(QmpException.Timeout.class)
        .hasMessageContaining("connect to " + server.socket());
  }

  @Test
  void connectToAMissingSocketIsDisconnected() {
    Path missing = dir.resolve("nobody-here.sock");
    assertThatThrownBy(() -> QmpClient.connect(missing, OPTIONS))
        .isInstanceOf(QmpException.Disconnected.class)
        .hasMessageContaining("QMP connect to " + missing + " failed");
  }

  @Test
  void peerThatDoesNotGreetFirstIsAProtocolError() throws Exception {
    server.withoutGreeting();
    CompletableFuture<QmpClient> connecting = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                connecting.complete(QmpClient.connect(server.socket(), OPTIONS));
              } catch (RuntimeException e) {
                connecting.completeExceptionally(e);
              }
            });
    server.connection().sendRaw("{\"return\": {}, \"id\": 1}");
    assertThat(failureOf(connecting))
        .isInstanceOf(QmpException.ProtocolError.class)
        .hasMessageContaining("expected the QMP greeting first");
  }

  @Test
  void errorReplyIsCommandFailedNamingCommandAndCause() {
    server.on(
        "migrate",
        Script.error("GenericError", "Parameter 'uri' expects a valid migration protocol"));
    connect();
    assertThatThrownBy(() -> client.call(new MigrationCommand.Migrate("tcp:198.18.0.2:1")))
        .isInstanceOfSatisfying(
            QmpException.CommandFailed.class,
            e -> {
              assertThat(e.command()).isEqualTo("migrate");
              assertThat(e.errorClass()).isEqualTo(QmpErrorClass.GENERIC_ERROR);
              assertThat(e.description())
                  .isEqualTo("Parameter 'uri' expects a valid migration protocol");
            })
        .hasMessage(
            "QMP command 'migrate' failed: GenericError: "
                + "Parameter 'uri' expects a valid migration protocol");
    assertThat(client.isOpen()).isTrue();
  }

  @Test
  void unknownErrorClassIsKeptVerbatim() {
    server.on("cont", Script.error("SomethingNew", "odd"));
    connect();
    assertThatThrownBy(() -> client.call(new VmCommand.Cont()))
        .isInstanceOfSatisfying(
            QmpException.CommandFailed.class,
            e -> {
              assertThat(e.errorClass()).isEqualTo(QmpErrorClass.OTHER);
              assertThat(e.errorClassName()).isEqualTo("SomethingNew");
            });
  }

  @Test
  void timeoutFiresAndTheConnectionStaysUsable() {
    server.on("query-status", Script.stall());
    server.on("query-kvm", Script.reply("{\"enabled\": false, \"present\": true}"));
    connect();
    long start = System.nanoTime();
    assertThatThrownBy(() -> client.call(new VmCommand.QueryStatus(), SHORT))
        .isInstanceOfSatisfying(
            QmpException.Timeout.class, e -> assertThat(e.timeout()).isEqualTo(SHORT))
        .hasMessage("QMP command 'query-status' timed out after PT0.3S");
    Duration waited = Duration.ofNanos(System.nanoTime() - start);
    assertThat(waited)
        .as("call gave up after %s for a timeout of %s", waited, SHORT)
        .isBetween(SHORT, SHORT.plus(PROMPTLY));
    assertThat(client.call(new VmCommand.QueryKvm())).isEqualTo(new KvmInfo(false, true));
    assertThat(client.isOpen()).isTrue();
  }

  @Test
  void lateReplyToATimedOutCommandIsDropped() throws Exception {
    LinkedBlockingQueue<Request> held = new LinkedBlockingQueue<>();
    server.on("query-name", (request, connection) -> held.add(request));
    connect();
    assertThatThrownBy(() -> client.call(new VmCommand.QueryName(), SHORT))
        .isInstanceOf(QmpException.Timeout.class);
    Request late = held.take();
    // The second query-name gets the late reply to the first and then its own: only its own counts.
    server.on(
        "query-name",
        (request, connection) -> {
          connection.reply(late, "{\"name\": \"stale\"}");
          connection.reply(request, "{\"name\": \"fresh\"}");
        });
    assertThat(client.call(new VmCommand.QueryName()).name()).contains("fresh");
  }

  @Test
  void repliesOutOfOrderAreMatchedById() throws Exception {
    LinkedBlockingQueue<Request> held = new LinkedBlockingQueue<>();
    server.on("query-name", (request, connection) -> held.add(request));
    server.on(
        "query-uuid",
        (request, connection) -> {
          connection.reply(request, "{\"UUID\": \"12345678-1234-1234-1234-123456789abc\"}");
          connection.reply(held.remove(), "{\"name\": \"vm1\"}");
        });
    connect();
    CompletableFuture<NameInfo> name = client.send(new VmCommand.QueryName());
    await().atMost(PROMPTLY).until(() -> !held.isEmpty());
    CompletableFuture<UuidInfo> uuid = client.send(new VmCommand.QueryUuid());
    assertThat(uuid.get(5, TimeUnit.SECONDS).uuid().toString())
        .isEqualTo("12345678-1234-1234-1234-123456789abc");
    assertThat(name.get(5, TimeUnit.SECONDS).name()).contains("vm1");
  }

  @Test
  void concurrentCallersEachGetTheirOwnReply() throws Exception {
    // Replies are held and sent back in reverse order, ten at a time.
    List<Request> batch = new ArrayList<>();
    server.on(
        "human-monitor-command",
        (request, connection) -> {
          batch.add(request);
          if (batch.size() == 10) {
            for (Request r : batch.reversed()) {
              connection.reply(r, "\"" + r.arguments().get("command-line").asText() + "\"");
            }
            batch.clear();
          }
        });
    connect();
    try (var callers = Executors.newVirtualThreadPerTaskExecutor()) {
      List<CompletableFuture<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        String line = "echo " + i;
        results.add(
            CompletableFuture.supplyAsync(
                () -> client.call(new MonitorCommand.HumanMonitorCommand(line)).equals(line),
                callers));
      }
      for (var result : results) {
        assertThat(result.get(10, TimeUnit.SECONDS)).isTrue();
      }
    }
  }

  @Test
  void garbageClosesTheConnectionWithProtocolError() throws Exception {
    server.on("query-name", Script.stall());
    server.on("query-status", Script.sendRaw("this is not json"));
    connect();
    CompletableFuture<NameInfo> bystander = client.send(new VmCommand.QueryName());
    assertThatThrownBy(() -> client.call(new VmCommand.QueryStatus()))
        .isInstanceOf(QmpException.ProtocolError.class)
        .hasMessageStartingWith("QMP command 'query-status' failed: protocol error: not JSON");
    assertThat(failureOf(bystander))
        .isInstanceOf(QmpException.ProtocolError.class)
        .hasMessageContaining("query-name");
    assertThat(client.closed().get(5, TimeUnit.SECONDS))
        .isInstanceOf(CloseReason.ProtocolViolation.class);
    assertThat(client.isOpen()).isFalse();
    assertThatThrownBy(() -> client.call(new VmCommand.QueryName()))
        .isInstanceOf(QmpException.Disconnected.class)
        .hasMessageContaining("protocol violation");
  }

  @Test
  void oversizedMessageIsAProtocolViolation() throws Exception {
    server.on("query-name", Script.reply("{\"name\": \"" + "x".repeat(4096) + "\"}"));
    client = QmpClient.connect(server.socket(), OPTIONS.withMaxMessageSize(new ByteSize(1024)));
    assertThatThrownBy(() -> client.call(new VmCommand.QueryName()))
        .isInstanceOf(QmpException.ProtocolError.class)
        .hasMessageContaining("longer than the limit of 1024 bytes");
  }

  @Test
  void replyThatDoesNotFitItsTypeFailsOnlyThatCommand() {
    server.on("query-status", Script.reply("{\"status\": \"levitating\", \"running\": true}"));
    server.on("query-name", Script.reply("{\"name\": \"vm1\"}"));
    connect();
    assertThatThrownBy(() -> client.call(new VmCommand.QueryStatus()))
        .isInstanceOf(QmpException.ProtocolError.class)
        .hasMessageContaining("query-status")
        .hasMessageContaining("StatusInfo")
        .hasMessageContaining("levitating");
    assertThat(client.isOpen()).isTrue();
    assertThat(client.call(new VmCommand.QueryName()).name()).contains("vm1");
  }

  @Test
  void unsolicitedRepliesAndStrangeMessagesAreIgnored() throws Exception {
    server.on("query-name", Script.reply("{\"name\": \"vm1\"}"));
    connect();
    server.connection().sendRaw("{\"return\": {}, \"id\": 999}");
    server.connection().sendRaw("{\"return\": {}}");
    server.connection().sendRaw("{\"hello\": \"world\"}");
    server.connection().sendRaw("");
    assertThat(client.call(new VmCommand.QueryName()).name()).contains("vm1");
  }

  @Test
  void disconnectMidCommandFailsAllPendingPromptly() throws Exception {
    server.on("query-name", Script.stall());
    server.on("query-status", Script.disconnect());
    connect();
    List<CompletableFuture<?>> pending = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      pending.add(client.send(new VmCommand.QueryName(), Duration.ofMinutes(5)));
    }
    long start = System.nanoTime();
    pending.add(client.send(new VmCommand.QueryStatus(), Duration.ofMinutes(5)));
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
        .handle((v, e) -> null)
        .get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(took).as("all pending commands failed after %s", took).isLessThan(PROMPTLY);
    for (CompletableFuture<?> future : pending) {
      assertThat(failureOf(future))
          .isInstanceOfSatisfying(
              QmpException.Disconnected.class,
              e -> assertThat(e.reason()).isInstanceOf(CloseReason.PeerClosed.class))
          .hasMessageContaining("connection lost: QEMU closed the connection");
    }
    assertThat(client.closed().get(5, TimeUnit.SECONDS)).isInstanceOf(CloseReason.PeerClosed.class);

    long sendStart = System.nanoTime();
    CompletableFuture<StatusInfo> later = client.send(new VmCommand.QueryStatus());
    assertThat(later).isCompletedExceptionally();
    Duration failFast = Duration.ofNanos(System.nanoTime() - sendStart);
    assertThat(failFast).as("send after disconnect failed after %s", failFast).isLessThan(PROMPTLY);
    assertThat(failureOf(later)).isInstanceOf(QmpException.Disconnected.class);
  }

  @Test
  void closeFailsPendingCommandsAndCompletesClosed() throws Exception {
    server.on("query-name", Script.stall());
    connect();
    CompletableFuture<NameInfo> pending = client.send(new VmCommand.QueryName());
    client.close();
    assertThat(failureOf(pending))
        .isInstanceOfSatisfying(
            QmpException.Disconnected.class,
            e -> assertThat(e.reason()).isInstanceOf(CloseReason.ClosedByClient.class));
    assertThat(client.closed().get(5, TimeUnit.SECONDS))
        .isInstanceOf(CloseReason.ClosedByClient.class);
    client.close(); // twice is harmless
  }

  @Test
  void interruptedCallerGetsInterruptedAndTheConnectionSurvives() throws Exception {
    server.on("query-name", Script.stall());
    server.on("query-kvm", Script.reply("{\"enabled\": true, \"present\": true}"));
    connect();
    CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    CompletableFuture<Boolean> flagKept = new CompletableFuture<>();
    Thread caller =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    client.call(new VmCommand.QueryName());
                    outcome.complete(null);
                  } catch (RuntimeException e) {
                    outcome.complete(e);
                    flagKept.complete(Thread.currentThread().isInterrupted());
                  }
                });
    await().atMost(PROMPTLY).until(() -> server.received().size() == 2);
    caller.interrupt();
    assertThat(outcome.get(5, TimeUnit.SECONDS))
        .isInstanceOf(QmpException.Interrupted.class)
        .hasMessageContaining("query-name");
    assertThat(flagKept.get(5, TimeUnit.SECONDS)).as("interrupt flag restored").isTrue();

    // A caller that is interrupted before it sends must not close the socket for everyone. (It
    // may still get its reply: a future that is already complete does not look at the flag.)
    CompletableFuture<Boolean> earlyFlagKept = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(
            () -> {
              Thread.currentThread().interrupt();
              try {
                client.call(new VmCommand.QueryKvm());
              } catch (QmpException.Interrupted e) {
                // expected most of the time
              }
              earlyFlagKept.complete(Thread.currentThread().isInterrupted());
            });
    assertThat(earlyFlagKept.get(5, TimeUnit.SECONDS)).as("interrupt flag kept").isTrue();
    assertThat(client.call(new VmCommand.QueryKvm())).isEqualTo(new KvmInfo(true, true));
  }

  @Test
  void eventsInterleavedWithRepliesAreDelivered() throws Exception {
    server.on(
        "cont",
        (request, connection) -> {
          connection.event("RESUME", null);
          connection.reply(request, "{}");
          connection.event("MIGRATION", "{\"status\": \"setup\"}");
        });
    connect();
    List<QmpEvent> all = new CopyOnWriteArrayList<>();
    List<QmpEvent.Migration> migrations = new CopyOnWriteArrayList<>();
    client.subscribe(all::add);
    client.subscribe(QmpEvent.Migration.class, migrations::add);
    CompletableFuture<QmpEvent.Resume> resumed =
        client.awaitEvent(QmpEvent.Resume.class, Duration.ofSeconds(5));

    client.call(new VmCommand.Cont());

    assertThat(resumed.get(5, TimeUnit.SECONDS)).isInstanceOf(QmpEvent.Resume.class);
    await().atMost(PROMPTLY).until(() -> all.size() == 2);
    assertThat(all).extracting(QmpEvent::eventName).containsExactly("RESUME", "MIGRATION");
    assertThat(migrations)
        .extracting(QmpEvent.Migration::status)
        .containsExactly(MigrationStatus.SETUP);
  }

  @Test
  void eventsAreDeliveredInOrderOnTheEventThread() throws Exception {
    connect();
    List<String> threads = new CopyOnWriteArrayList<>();
    List<Long> passes = new CopyOnWriteArrayList<>();
    client.subscribe(
        QmpEvent.MigrationPass.class,
        e -> {
          threads.add(Thread.currentThread().getName());
          passes.add(e.pass());
        });
    for (int pass = 1; pass <= 20; pass++) {
      server.connection().event("MIGRATION_PASS", "{\"pass\": " + pass + "}");
    }
    await().atMost(PROMPTLY).until(() -> passes.size() == 20);
    assertThat(passes).isSorted().doesNotHaveDuplicates();
    assertThat(threads).allSatisfy(name -> assertThat(name).startsWith("qmp-events"));
  }

  @Test
  void throwingListenerDoesNotBreakDelivery() throws Exception {
    connect();
    List<QmpEvent> thrower = new CopyOnWriteArrayList<>();
    List<QmpEvent> healthy = new CopyOnWriteArrayList<>();
    client.subscribe(
        event -> {
          thrower.add(event);
          throw new IllegalStateException("listener bug");
        });
    client.subscribe(healthy::add);
    for (String name : List.of("STOP", "RESUME", "POWERDOWN")) {
      server.connection().event(name, null);
    }
    await().atMost(PROMPTLY).until(() -> healthy.size() == 3);
    assertThat(thrower).as("the throwing listener keeps its subscription").hasSize(3);
    assertThat(client.call(new MonitorCommand.QmpCapabilities(), Duration.ofSeconds(5))).isNull();
  }

  @Test
  void closedSubscriptionGetsNoMoreEvents() throws Exception {
    connect();
    List<QmpEvent> seen = new CopyOnWriteArrayList<>();
    List<QmpEvent> control = new CopyOnWriteArrayList<>();
    Subscription subscription = client.subscribe(seen::add);
    client.subscribe(control::add);
    server.connection().event("STOP", null);
    await().atMost(PROMPTLY).until(() -> seen.size() == 1);
    subscription.close();
    server.connection().event("RESUME", null);
    await().atMost(PROMPTLY).until(() -> control.size() == 2);
    assertThat(seen).hasSize(1);
  }

  @Test
  void awaitEventMatchesOnlyEventsAfterItWasRegistered() throws Exception {
    connect();
    List<QmpEvent> control = new CopyOnWriteArrayList<>();
    client.subscribe(control::add);
    server.connection().event("STOP", null);
    await().atMost(PROMPTLY).until(() -> control.size() == 1);

    CompletableFuture<QmpEvent.Stop> nextStop = client.awaitEvent(QmpEvent.Stop.class, SHORT);
    assertThat(failureOf(nextStop))
        .isInstanceOf(QmpException.Timeout.class)
        .hasMessage("QMP wait for event Stop timed out after PT0.3S");
  }

  @Test
  void awaitEventWithPredicateSkipsNonMatchingEvents() throws Exception {
    connect();
    CompletableFuture<QmpEvent.Migration> completed =
        client.awaitEvent(
            QmpEvent.Migration.class,
            e -> e.status() == MigrationStatus.COMPLETED,
            Duration.ofSeconds(5));
    for (String status : List.of("setup", "active", "completed")) {
      server.connection().event("MIGRATION", "{\"status\": \"" + status + "\"}");
    }
    assertThat(completed.get(5, TimeUnit.SECONDS).status()).isEqualTo(MigrationStatus.COMPLETED);
  }

  @Test
  void awaitEventFailsWithDisconnectedWhenTheConnectionEnds() throws Exception {
    connect();
    CompletableFuture<QmpEvent> anything = client.awaitEvent(e -> true, Duration.ofMinutes(1));
    server.connection().disconnect();
    assertThat(failureOf(anything))
        .isInstanceOf(QmpException.Disconnected.class)
        .hasMessageContaining("wait for event (any)");
    CompletableFuture<QmpEvent> afterClose = client.awaitEvent(e -> true, Duration.ofMinutes(1));
    assertThat(failureOf(afterClose)).isInstanceOf(QmpException.Disconnected.class);
  }

  @Test
  void eventsReceivedBeforeTheConnectionEndsAreStillDelivered() throws Exception {
    server.on(
        "quit",
        (request, connection) -> {
          connection.event("SHUTDOWN", "{\"guest\": false, \"reason\": \"host-qmp-quit\"}");
          connection.reply(request, "{}");
          connection.disconnect();
        });
    connect();
    CompletableFuture<QmpEvent.Shutdown> shutdown =
        client.awaitEvent(QmpEvent.Shutdown.class, Duration.ofSeconds(5));
    client.call(new VmCommand.Quit());
    assertThat(shutdown.get(5, TimeUnit.SECONDS).reason()).isEqualTo(ShutdownCause.HOST_QMP_QUIT);
    assertThat(client.closed().get(5, TimeUnit.SECONDS)).isInstanceOf(CloseReason.PeerClosed.class);
  }

  @Test
  void throwingPredicateFailsTheWait() throws Exception {
    connect();
    CompletableFuture<QmpEvent> wait =
        client.awaitEvent(
            e -> {
              throw new IllegalStateException("predicate bug");
            },
            Duration.ofSeconds(5));
    server.connection().event("STOP", null);
    assertThat(failureOf(wait)).isInstanceOf(IllegalStateException.class);
  }
}
