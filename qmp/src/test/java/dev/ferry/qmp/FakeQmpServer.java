package dev.ferry.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A scripted QMP server on a real UNIX socket, for the faults a real QEMU will not produce on
 * demand: stalls, garbage, replies out of order, a connection dropped mid-command.
 *
 * <p>It sends a greeting (unless told not to), answers {@code qmp_capabilities}, and hands every
 * other request to the {@link Script} registered for its command name; commands without a script
 * get a CommandNotFound error. Scripts run on the server's reader thread, so a script that does not
 * reply simply leaves its request pending. One client at a time.
 */
public final class FakeQmpServer implements AutoCloseable {

  public static final String GREETING =
      "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7},"
          + " \"package\": \"fake\"}, \"capabilities\": [\"oob\"]}}";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A request as the server received it. */
  public record Request(String command, JsonNode id, JsonNode arguments) {}

  /** What the server does with one request. */
  @FunctionalInterface
  public interface Script {
    void handle(Request request, Connection connection) throws IOException;

    static Script reply(String returnJson) {
      return (request, connection) -> connection.reply(request, returnJson);
    }

    static Script error(String errorClass, String description) {
      return (request, connection) -> connection.error(request, errorClass, description);
    }

    /** Never answers. */
    static Script stall() {
      return (request, connection) -> {};
    }

    static Script sendRaw(String line) {
      return (request, connection) -> connection.sendRaw(line);
    }

    static Script disconnect() {
      return (request, connection) -> connection.disconnect();
    }
  }

  /** The server's side of one client connection. Thread-safe. */
  public final class Connection {
    private final SocketChannel channel;
    private final ReentrantLock writeLock = new ReentrantLock();

    private Connection(SocketChannel channel) {
      this.channel = channel;
    }

    public void reply(Request request, String returnJson) throws IOException {
      sendRaw("{\"return\": " + returnJson + ", \"id\": " + request.id() + "}");
    }

    public void error(Request request, String errorClass, String description) throws IOException {
      var error = JSON.createObjectNode();
      error.putObject("error").put("class", errorClass).put("desc", description);
      error.set("id", request.id());
      sendRaw(error.toString());
    }

    /** Emits an event stamped with the current time; {@code dataJson} may be null. */
    public void event(String name, String dataJson) throws IOException {
      Instant now = Instant.now();
      sendRaw(
          "{\"timestamp\": {\"seconds\": "
              + now.getEpochSecond()
              + ", \"microseconds\": "
              + now.getNano() / 1000
              + "}, \"event\": \""
              + name
              + "\""
              + (dataJson == null ? "" : ", \"data\": " + dataJson)
              + "}");
    }

    /** Sends one line as is (QEMU ends lines with CRLF; so does this). */
    public void sendRaw(String line) throws IOException {
      ByteBuffer bytes = ByteBuffer.wrap((line + "\r\n").getBytes(StandardCharsets.UTF_8));
      writeLock.lock();
      try {
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
      } finally {
        writeLock.unlock();
      }
    }

    public void disconnect() throws IOException {
      channel.close();
    }
  }

  private final Path socket;
  private final ServerSocketChannel server;
  private final Map<String, Script> scripts = new ConcurrentHashMap<>();
  private final List<Request> received = new CopyOnWriteArrayList<>();
  private final LinkedBlockingQueue<Connection> connections = new LinkedBlockingQueue<>();
  private final AtomicReference<Connection> current = new AtomicReference<>();
  private final Thread acceptor;
  private volatile String greeting = GREETING;

  private FakeQmpServer(Path socket) throws IOException {
    this.socket = socket;
    this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    scripts.put("qmp_capabilities", Script.reply("{}"));
    this.acceptor = Thread.ofVirtual().name("fake-qmp-accept").start(this::acceptLoop);
  }

  /** Listens on {@code directory}/fake-qmp.sock. */
  public static FakeQmpServer start(Path directory) throws IOException {
    Path socket = directory.resolve("fake-qmp.sock");
    Files.deleteIfExists(socket);
    return new FakeQmpServer(socket);
  }

  public Path socket() {
    return socket;
  }

  /** Scripts {@code command}, replacing an earlier script. */
  public FakeQmpServer on(String command, Script script) {
    scripts.put(command, script);
    return this;
  }

  /** Sends nothing on connect (a QEMU whose monitor is busy with another client). */
  public FakeQmpServer withoutGreeting() {
    greeting = null;
    return this;
  }

  /** Every request received so far, in order. */
  public List<Request> received() {
    return List.copyOf(received);
  }

  /** The current client's connection, waiting up to 10 s for a client to connect. */
  public Connection connection() throws InterruptedException {
    Connection connection = current.get();
    if (connection != null) {
      return connection;
    }
    connection = connections.poll(10, TimeUnit.SECONDS);
    if (connection == null) {
      throw new IllegalStateException("no client connected to " + socket);
    }
    return connection;
  }

  @Override
  public void close() throws IOException {
    server.close();
    acceptor.interrupt();
    Connection connection = current.get();
    if (connection != null) {
      connection.channel.close();
    }
    Files.deleteIfExists(socket);
  }

  private void acceptLoop() {
    try {
      while (server.isOpen()) {
        SocketChannel client = server.accept();
        Connection connection = new Connection(client);
        current.set(connection);
        connections.add(connection);
        serve(connection);
      }
    } catch (IOException e) {
      // The server was closed.
    }
  }

  private void serve(Connection connection) {
    try (var in =
        new BufferedReader(
            new InputStreamReader(
                Channels.newInputStream(connection.channel), StandardCharsets.UTF_8))) {
      if (greeting != null) {
        connection.sendRaw(greeting);
      }
      String line;
      while ((line = in.readLine()) != null) {
        JsonNode message = JSON.readTree(line);
        Request request =
            new Request(
                message.path("execute").asText(), message.get("id"), message.get("arguments"));
        received.add(request);
        Script script = scripts.get(request.command());
        if (script == null) {
          connection.error(
              request,
              "CommandNotFound",
              "The command " + request.command() + " has not been found");
        } else {
          script.handle(request, connection);
        }
      }
    } catch (IOException e) {
      // The client went away or a script disconnected.
    } finally {
      current.set(null);
    }
  }
}
