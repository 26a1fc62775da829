package dev.ferry.lab.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A private, throw-away PostgreSQL server from Debian's packages for tests: its own data directory,
 * listening on loopback only on a free port, stopped and deleted on close. It fails loudly when
 * PostgreSQL is not installed, since a skipped database test hides a failure.
 */
public final class PostgresServer implements AutoCloseable {
  /** initdb and {@code pg_ctl -w start} take a few seconds; a loaded machine needs more. */
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);

  private final Path bin;
  private final Path dir;
  private final int port;
  private final List<String> wrap;

  private PostgresServer(Path bin, Path dir, int port, List<String> wrap) {
    this.bin = bin;
    this.dir = dir;
    this.port = port;
    this.wrap = wrap;
  }

  /** Starts a server on the root namespace's loopback. */
  public static PostgresServer start() {
    return start(List.of());
  }

  /**
   * Starts a server on the loopback of {@code namespace} (one the caller created, whose {@code lo}
   * is up), for a process living there, such as a manager in a testbed's client namespace.
   */
  public static PostgresServer startIn(String namespace) {
    return start(List.of("ip", "netns", "exec", namespace));
  }

  /** Fails with the reason if PostgreSQL is missing or will not start. */
  private static PostgresServer start(List<String> wrap) {
    Path bin = binaries();
    try {
      Path dir = Files.createTempDirectory("ferry-pg-");
      run(List.of("chown", "postgres:postgres", dir.toString()));
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      asPostgres(
          wrap,
          List.of(
              bin.resolve("initdb").toString(),
              "-D",
              dir.resolve("data").toString(),
              "-U",
              "ferry",
              "--auth=trust",
              "-E",
              "UTF8"));
      asPostgres(
          wrap,
          List.of(
              bin.resolve("pg_ctl").toString(),
              "-D",
              dir.resolve("data").toString(),
              "-l",
              dir.resolve("server.log").toString(),
              "-o",
              "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1",
              "-w",
              "-t",
              "60",
              "start"));
      return new PostgresServer(bin, dir, port, wrap);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A JDBC URL for a fresh database named {@code name}. */
  public String newDatabase(String name) {
    asPostgres(
        wrap,
        List.of(
            bin.resolve("createdb").toString(),
            "-h",
            "127.0.0.1",
            "-p",
            Integer.toString(port),
            "-U",
            "ferry",
            name));
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + name + "?user=ferry";
  }

  private static Path binaries() {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      throw new IllegalStateException(
          "PostgreSQL is not installed (no " + root + "); scripts/test installs 'postgresql'");
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max(Comparator.comparing(Path::toString))
          .orElseThrow(() -> new IllegalStateException("no initdb under " + root));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void asPostgres(List<String> wrap, List<String> command) {
    List<String> full = new ArrayList<>(wrap);
    full.addAll(List.of("runuser", "-u", "postgres", "--"));
    full.addAll(command);
    run(full);
  }

  private static void run(List<String> command) {
    Cmd.run(COMMAND_TIMEOUT, command).orThrow("run PostgreSQL");
  }

  public int port() {
    return port;
  }

  @Override
  public void close() {
    try {
      asPostgres(
          wrap,
          List.of(
              bin.resolve("pg_ctl").toString(),
              "-D",
              dir.resolve("data").toString(),
              "-m",
              "immediate",
              "-w",
              "stop"));
    } finally {
      run(List.of("rm", "-rf", dir.toString()));
    }
  }
}
