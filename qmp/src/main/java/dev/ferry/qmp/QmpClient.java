package dev.ferry.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An asynchronous client for one QMP connection to one QEMU process, over its UNIX socket.
 *
 * <p>{@link #connect} reads the greeting and leaves capabilities negotiation; after that, {@link
 * #send} and {@link #call} run typed {@link QmpCommand}s and {@link #subscribe} / {@link
 * #awaitEvent} observe {@link QmpEvent}s. The client does not reconnect: when the connection ends
 * ({@link #closed()}), the owner connects again if it wants to.
 *
 * <p><b>Threads.</b> Each connection has three virtual threads: the <em>reader</em> (the only one
 * reading the socket; it matches replies to requests by {@code id}, never by order, and queues
 * events), the <em>writer</em> (see {@link Outbox}) and the <em>event thread</em> (calls listeners
 * in arrival order). Futures are completed on short-lived virtual threads, never on the reader, so
 * a dependent stage that blocks cannot stall the connection. All public methods are thread-safe.
 *
 * <p><b>Failures.</b> A command that gets no reply in time fails with {@link QmpException.Timeout}
 * and the connection stays usable. When the connection ends, every pending command fails at once
 * with {@link QmpException.Disconnected} and later sends fail immediately. If QEMU sends bytes that
 * are not a QMP message, the connection is closed ({@link CloseReason.ProtocolViolation}) and
 * pending commands fail with {@link QmpException.ProtocolError}: a stream that lost its framing
 * cannot be trusted to correlate replies. A well-formed reply that does not fit its command's reply
 * type fails only that command.
 */
public final class QmpClient implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(QmpClient.class);

  private static final int LOGGED_MESSAGE_CHARS = 4096;

  private final Path socket;
  private final String name;
  private final QmpOptions options;
  private final SocketChannel channel;
  private final QmpCodec codec = new QmpCodec();
  private final PendingRequests pending = new PendingRequests();
  private final EventDispatcher events;
  private final Outbox outbox;
  private final Thread reader;
  private final Executor completer;
  private final CompletableFuture<QmpGreeting> greeting = new CompletableFuture<>();
  private final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
  private final AtomicReference<CloseReason> closeReason = new AtomicReference<>();

  private QmpClient(Path socket, QmpOptions options, SocketChannel channel) {
    this.socket = socket;
    this.name = String.valueOf(socket.getFileName());
    this.options = options;
    this.channel = channel;
    this.completer = task -> Thread.ofVirtual().name("qmp-complete " + name).start(task);
    this.events = new EventDispatcher(socket.toString(), "qmp-events " + name);
    this.outbox = new Outbox(channel, "qmp-writer " + name, this::writeFailed);
    this.reader = Thread.ofVirtual().name("qmp-reader " + name).unstarted(this::readLoop);
  }

  /** Connects with {@link QmpOptions#defaults()}. */
  public static QmpClient connect(Path unixSocket) {
    return connect(unixSocket, QmpOptions.defaults());
  }

  /**
   * Connects to QEMU's QMP socket, reads the greeting and sends {@code qmp_capabilities}.
   *
   * @throws QmpException.Disconnected when the socket cannot be reached or closes early
   * @throws QmpException.Timeout when no greeting comes within the connect timeout (QEMU serves one
   *     client per socket; a second client waits)
   * @throws QmpException.ProtocolError when the peer does not speak QMP
   */
  public static QmpClient connect(Path unixSocket, QmpOptions options) {
    Objects.requireNonNull(unixSocket, "unixSocket");
    Objects.requireNonNull(options, "options");
    String operation = "connect to " + unixSocket;
    SocketChannel channel = null;
    try {
      channel = SocketChannel.open(StandardProtocolFamily.UNIX);
      channel.connect(UnixDomainSocketAddress.of(unixSocket));
    } catch (IOException e) {
      closeQuietly(channel);
      throw new QmpException.Disconnected(operation, new CloseReason.IoFailure(e));
    }
    QmpClient client = new QmpClient(unixSocket, options, channel);
    client.start();
    try {
      QmpGreeting greeting = await(client.greeting, options.connectTimeout(), operation);
      client.call(new MonitorCommand.QmpCapabilities(), options.connectTimeout());
      log.info("QMP connected to {} (QEMU {})", unixSocket, greeting.version());
      return client;
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
  }

  /** The socket this client is connected to. */
  public Path socket() {
    return socket;
  }

  /** What QEMU announced when the connection opened. */
  public QmpGreeting greeting() {
    return greeting.join();
  }

  /** Sends a command with the default timeout from {@link QmpOptions#commandTimeout()}. */
  public <R> CompletableFuture<R> send(QmpCommand<R> command) {
    return send(command, options.commandTimeout());
  }

  /**
   * Sends a command. Never blocks: the request is queued for the writer thread.
   *
   * @return completes with the decoded reply, or fails with a {@link QmpException}: {@link
   *     QmpException.CommandFailed} when QEMU answers with an error, {@link QmpException.Timeout}
   *     after {@code timeout}, {@link QmpException.Disconnected} when the connection is or gets
   *     closed. Dependent stages run on a fresh virtual thread.
   */
  public <R> CompletableFuture<R> send(QmpCommand<R> command, Duration timeout) {
    Objects.requireNonNull(command, "command");
    QmpOptions.requirePositive(timeout, "timeout");
    String operation = QmpException.commandOperation(command.commandName());
    CloseReason reason = closeReason.get();
    if (reason != null) {
      return CompletableFuture.failedFuture(new QmpException.Disconnected(operation, reason));
    }
    long id = pending.nextId();
    byte[] frame = codec.encodeRequest(id, command);
    CompletableFuture<R> future = new CompletableFuture<>();
    pending.add(id, command, future);
    // Closing sets the reason before it fails what is pending: checking again after adding means
    // a request can neither slip past that sweep nor wait forever.
    reason = closeReason.get();
    if (reason != null) {
      future.completeExceptionally(new QmpException.Disconnected(operation, reason));
      return future;
    }
    Deadlines.failAfter(
        future, timeout, () -> new QmpException.Timeout(operation, timeout), completer);
    if (log.isDebugEnabled()) {
      log.debug("QMP {} -> {}", name, abbreviate(frame));
    }
    outbox.enqueue(frame);
    return future;
  }

  /** Runs a command and waits for its reply, at most {@link QmpOptions#commandTimeout()}. */
  public <R> R call(QmpCommand<R> command) {
    return call(command, options.commandTimeout());
  }

  /**
   * Runs a command and waits for its reply.
   *
   * @return the decoded reply ({@code null} for commands that reply with nothing)
   * @throws QmpException as described for {@link #send(QmpCommand, Duration)}; {@link
   *     QmpException.Interrupted} (with the interrupt flag set again) if the thread is interrupted
   *     while waiting
   */
  public <R> R call(QmpCommand<R> command, Duration timeout) {
    return await(
        send(command, timeout), null, QmpException.commandOperation(command.commandName()));
  }

  /**
   * Calls {@code listener} for every event received from now on, on the event thread, in order.
   * Exceptions thrown by the listener are logged and do not end the subscription.
   */
  public Subscription subscribe(Consumer<? super QmpEvent> listener) {
    Objects.requireNonNull(listener, "listener");
    return events.subscribe(listener::accept, reason -> {});
  }

  /** Like {@link #subscribe(Consumer)}, for one event type only. */
  public <E extends QmpEvent> Subscription subscribe(Class<E> type, Consumer<? super E> listener) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(listener, "listener");
    return events.subscribe(
        event -> {
          if (type.isInstance(event)) {
            listener.accept(type.cast(event));
          }
        },
        reason -> {});
  }

  /**
   * The next event received from now on that matches. Call it <em>before</em> sending the command
   * that causes the event, so the event cannot slip by in between.
   *
   * @return completes with the event, or fails with {@link QmpException.Timeout} after {@code
   *     timeout}, or with {@link QmpException.Disconnected} when the connection ends first; a
   *     predicate that throws fails it with that exception
   */
  public CompletableFuture<QmpEvent> awaitEvent(
      Predicate<? super QmpEvent> match, Duration timeout) {
    return awaitEvent(QmpEvent.class, match, timeout);
  }

  /**
   * The next event of {@code type} received from now on; see {@link #awaitEvent(Predicate,
   * Duration)}.
   */
  public <E extends QmpEvent> CompletableFuture<E> awaitEvent(Class<E> type, Duration timeout) {
    return awaitEvent(type, event -> true, timeout);
  }

  /**
   * The next event of {@code type} received from now on that matches; see {@link
   * #awaitEvent(Predicate, Duration)}.
   */
  public <E extends QmpEvent> CompletableFuture<E> awaitEvent(
      Class<E> type, Predicate<? super E> match, Duration timeout) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(match, "match");
    QmpOptions.requirePositive(timeout, "timeout");
    String operation = "wait for event " + describe(type);
    CompletableFuture<E> result = new CompletableFuture<>();
    Subscription subscription =
        events.subscribe(
            event -> {
              if (result.isDone() || !type.isInstance(event)) {
                return;
              }
              E candidate = type.cast(event);
              try {
                if (match.test(candidate)) {
                  completer.execute(() -> result.complete(candidate));
                }
              } catch (RuntimeException e) {
                completer.execute(() -> result.completeExceptionally(e));
              }
            },
            reason ->
                completer.execute(
                    () ->
                        result.completeExceptionally(
                            new QmpException.Disconnected(operation, reason))));
    result.whenComplete((event, failure) -> subscription.close());
    Deadlines.failAfter(
        result, timeout, () -> new QmpException.Timeout(operation, timeout), completer);
    return result;
  }

  /**
   * Completes when the connection ends, with the reason. Never fails. The returned future is a
   * copy: completing it does nothing to the connection.
   */
  public CompletableFuture<CloseReason> closed() {
    return closed.copy();
  }

  /** Whether the connection is still open. */
  public boolean isOpen() {
    return closeReason.get() == null;
  }

  /** Closes the connection; pending commands fail with {@link QmpException.Disconnected}. */
  @Override
  public void close() {
    shutdown(new CloseReason.ClosedByClient());
  }

  private void start() {
    events.start();
    outbox.start();
    reader.start();
  }

  private void readLoop() {
    FrameReader frames = new FrameReader(channel, (int) options.maxMessageSize().bytes());
    CloseReason reason;
    try {
      while (true) {
        byte[] message = frames.next();
        if (message == null) {
          if (frames.unfinishedBytes() > 0) {
            log.warn(
                "QMP {}: stream ended inside a message ({} bytes dropped)",
                name,
                frames.unfinishedBytes());
          }
          reason = new CloseReason.PeerClosed();
          break;
        }
        route(message);
      }
    } catch (QmpCodec.ViolationException e) {
      reason = new CloseReason.ProtocolViolation(e.getMessage());
    } catch (ClosedChannelException e) {
      reason = new CloseReason.ClosedByClient();
    } catch (IOException e) {
      reason = isReset(e) ? new CloseReason.PeerClosed() : new CloseReason.IoFailure(e);
    }
    shutdown(reason);
  }

  /**
   * QEMU reads its monitor socket a byte at a time, so when it exits (quit, crash, kill) part of
   * our last request is often still unread, and Linux then reports a reset instead of an orderly
   * end of stream. Either way QEMU is gone.
   */
  private static boolean isReset(IOException e) {
    return e instanceof SocketException && "Connection reset".equals(e.getMessage());
  }

  private void route(byte[] message) throws QmpCodec.ViolationException {
    if (log.isDebugEnabled()) {
      log.debug("QMP {} <- {}", name, abbreviate(message));
    }
    QmpCodec.Inbound inbound = codec.decode(message);
    if (!greeting.isDone() && !(inbound instanceof QmpCodec.Greeting)) {
      throw new QmpCodec.ViolationException(
          "expected the QMP greeting first, got: " + abbreviate(message));
    }
    switch (inbound) {
      case QmpCodec.Greeting g -> {
        if (!greeting.complete(g.greeting())) {
          log.warn("QMP {}: ignoring a second greeting", name);
        }
      }
      case QmpCodec.Reply reply -> {
        PendingRequests.Pending<?> request = pending.take(reply.id());
        if (request == null) {
          unmatched(reply.id(), message);
        } else {
          complete(request, reply.value());
        }
      }
      case QmpCodec.ErrorReply error -> {
        PendingRequests.Pending<?> request = pending.take(error.id());
        if (request == null) {
          unmatched(error.id(), message);
        } else {
          String command = request.command().commandName();
          fail(
              request.future(),
              new QmpException.CommandFailed(command, error.errorClass(), error.description()));
        }
      }
      case QmpCodec.Event event -> events.publish(event.event());
      case QmpCodec.Unrecognized unrecognized ->
          log.warn("QMP {}: ignoring a message: {}", name, unrecognized.why());
    }
  }

  private <R> void complete(PendingRequests.Pending<R> request, JsonNode value) {
    R result;
    try {
      result = codec.decodeReply(value, request.command().replyType());
    } catch (IOException e) {
      String operation = QmpException.commandOperation(request.command().commandName());
      String why = QmpCodec.firstLine(e);
      log.warn("QMP {}: reply to {} does not decode: {}", name, operation, why);
      fail(
          request.future(),
          new QmpException.ProtocolError(
              operation, "reply does not fit " + request.command().replyType() + ": " + why, e));
      return;
    }
    completer.execute(() -> request.future().complete(result));
  }

  private void unmatched(JsonNode id, byte[] message) {
    if (pending.wasIssued(id)) {
      log.debug("QMP {}: reply to request {} came after it was given up", name, id);
    } else {
      log.warn("QMP {}: reply matches no request: {}", name, abbreviate(message));
    }
  }

  private void fail(CompletableFuture<?> future, Throwable error) {
    completer.execute(() -> future.completeExceptionally(error));
  }

  private void writeFailed(IOException error) {
    shutdown(new CloseReason.IoFailure(error));
  }

  private void shutdown(CloseReason reason) {
    if (!closeReason.compareAndSet(null, reason)) {
      return;
    }
    switch (reason) {
      case CloseReason.ClosedByClient c -> log.debug("QMP {}: closed", name);
      case CloseReason.PeerClosed p -> log.info("QMP {}: {}", name, reason.describe());
      case CloseReason.IoFailure f -> log.warn("QMP {}: {}", name, reason.describe());
      case CloseReason.ProtocolViolation v -> log.warn("QMP {}: {}", name, reason.describe());
    }
    closeQuietly(channel);
    outbox.stop();
    for (PendingRequests.Pending<?> request : pending.takeAll()) {
      fail(
          request.future(),
          failureFor(QmpException.commandOperation(request.command().commandName()), reason));
    }
    fail(greeting, failureFor("connect to " + socket, reason));
    events.close(reason);
    completer.execute(() -> closed.complete(reason));
  }

  private static QmpException failureFor(String operation, CloseReason reason) {
    return reason instanceof CloseReason.ProtocolViolation violation
        ? new QmpException.ProtocolError(operation, violation.detail(), null)
        : new QmpException.Disconnected(operation, reason);
  }

  /**
   * Waits for a future this client completes, turning its failure back into the QmpException it
   * carries. A null timeout waits as long as it takes (the future has its own deadline).
   */
  private static <T> T await(CompletableFuture<T> future, Duration timeout, String operation) {
    try {
      return timeout == null ? future.get() : future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QmpException.Interrupted(operation, e);
    } catch (TimeoutException e) {
      throw new QmpException.Timeout(operation, timeout);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new CompletionException(cause);
    }
  }

  private static String describe(Class<? extends QmpEvent> type) {
    return type == QmpEvent.class ? "(any)" : type.getSimpleName();
  }

  private static String abbreviate(byte[] message) {
    String text = new String(message, StandardCharsets.UTF_8).strip();
    return text.length() <= LOGGED_MESSAGE_CHARS
        ? text
        : text.substring(0, LOGGED_MESSAGE_CHARS) + "... (" + text.length() + " chars)";
  }

  private static void closeQuietly(SocketChannel channel) {
    if (channel == null) {
      return;
    }
    try {
      channel.close();
    } catch (IOException e) {
      log.debug("closing the QMP socket failed", e);
    }
  }

  @Override
  public String toString() {
    return "QmpClient[" + socket + (isOpen() ? "" : ", closed") + "]";
  }
}
