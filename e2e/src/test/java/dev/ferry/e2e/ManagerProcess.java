package dev.ferry.e2e;

import static org.awaitility.Awaitility.await;

import dev.ferry.api.AgentEndpoint;
import dev.ferry.api.ManagerClient;
import dev.ferry.cli.Ferry;
import dev.ferry.lab.testbed.ClusterTokens;
import dev.ferry.lab.testbed.Testbed;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real manager daemon for end-to-end tests: its own JVM in the testbed's client namespace (so
 * agents reach it over the fabric), a unix socket for the test, a database of the test's choosing.
 * It can be killed (SIGKILL, as a crash) and started again on the same database.
 */
final class ManagerProcess implements AutoCloseable {
  static final int PORT = 7800;

  private final Testbed testbed;
  private final Path dir;
  private final String database;
  private Process process;

  private ManagerProcess(Testbed testbed, Path dir, String database) {
    this.testbed = testbed;
    this.dir = dir;
    this.database = database;
  }

  /** Starts a manager whose files live in {@code dir}, on SQLite there unless {@code database}. */
  static ManagerProcess start(Testbed testbed, Path dir, String database) {
    ManagerProcess m = new ManagerProcess(testbed, dir, database);
    m.launch();
    return m;
  }

  Path socket() {
    return dir.resolve("manager.sock");
  }

  /** The URL agents reach the manager at. */
  String url() {
    return "http://" + testbed.clientAddress() + ":" + PORT;
  }

  ManagerClient client() {
    return new ManagerClient(new AgentEndpoint.Unix(socket()), Duration.ofSeconds(60));
  }

  private void launch() {
    try {
      Files.createDirectories(dir);
      Files.deleteIfExists(socket());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(List.of("-XX:+UseSerialGC", "-Xms32m", "-Xmx256m"));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Ferry.class.getName()));
    cmd.addAll(
        List.of(
            "manager",
            "run",
            "--listen",
            testbed.clientAddress() + ":" + PORT,
            "--socket",
            socket().toString(),
            "--db",
            database,
            "--heartbeat",
            "1s",
            "--balance-interval",
            "3s",
            "--security-dir",
            dir.toString(),
            "--tokens",
            ClusterTokens.store(testbed.stateDir()).toString(),
            "--token-file",
            ClusterTokens.token(testbed.stateDir()).toString()));
    process = testbed.startIn(testbed.clientNamespace(), cmd);
    Path log = dir.resolve("manager.log");
    Thread.ofPlatform()
        .daemon()
        .name("manager-log")
        .start(() -> copy(process.getInputStream(), log));
    Thread.ofPlatform()
        .daemon()
        .name("manager-err")
        .start(() -> copy(process.getErrorStream(), dir.resolve("manager.err")));
    await("manager serving on " + socket())
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new AssertionError("manager exited: " + Files.readString(log));
              }
              try (ManagerClient c = client()) {
                c.hosts();
                return true;
              }
            });
  }

  private static void copy(InputStream in, Path log) {
    try (in;
        OutputStream out =
            Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // the manager went away
    }
  }

  /** Kills the manager as a crash would (SIGKILL), by its process id. */
  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Starts the manager again on the same database. */
  void restart() {
    if (process.isAlive()) {
      kill();
    }
    launch();
  }

  String log() {
    try {
      return Files.readString(dir.resolve("manager.log"));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }
}
