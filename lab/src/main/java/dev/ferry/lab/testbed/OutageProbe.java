package dev.ferry.lab.testbed;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.common.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code ferry-probe} in the testbed's client namespace against a guest's echo service: one
 * UDP datagram per millisecond, and at the end the longest gap between replies (the outage a user
 * of the guest sees). Start it before a migration and stop it after.
 *
 * <p>Its pipes are read on platform threads: a virtual thread blocked on a pipe read holds its
 * carrier, and on a two-core machine two of them starve every other virtual thread.
 */
public final class OutageProbe implements AutoCloseable {
  private static final ObjectMapper JSON = Json.lenient();
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration STDERR_GRACE = Duration.ofSeconds(1);

  private final Process process;
  private final CompletableFuture<byte[]> stdout;
  private final StringBuffer stderr = new StringBuffer();
  private final CompletableFuture<Void> measuring = new CompletableFuture<>();
  private final Thread stderrReader;

  private OutageProbe(Process process) {
    this.process = process;
    this.stdout = readAsync(process.getInputStream());
    this.stderrReader = Thread.ofPlatform().daemon().name("probe-stderr").start(this::followStderr);
  }

  /** ferry-probe says "measuring" on stderr once the first reply came. */
  private void followStderr() {
    try (var r =
        new java.io.BufferedReader(
            new java.io.InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        stderr.append(line).append('\n');
        if (line.contains("measuring")) {
          measuring.complete(null);
        }
      }
    } catch (IOException e) {
      stderr.append(e).append('\n');
    } finally {
      measuring.complete(null);
    }
  }

  /**
   * Starts probing {@code target} from the client namespace; returns once the first reply came (so
   * the measurement window starts with a guest known to answer).
   *
   * @param probe path to the {@code ferry-probe} binary
   * @param waitFirst how long the guest may take to answer the first datagram
   * @throws TestbedException if the guest never answered
   */
  public static OutageProbe start(
      Testbed testbed, Path probe, String target, Duration interval, Duration waitFirst) {
    if (!Files.isExecutable(probe)) {
      throw new TestbedException("start probe", probe + " is missing or not executable");
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(probe.toString());
    cmd.addAll(
        List.of(
            "--target",
            target,
            "--interval-us",
            Long.toString(interval.toNanos() / 1000),
            "--wait-first-ms",
            Long.toString(waitFirst.toMillis())));
    OutageProbe p = new OutageProbe(testbed.startIn(testbed.clientNamespace(), cmd));
    p.awaitFirstReply(waitFirst);
    return p;
  }

  /** Probes for a fixed time and returns the result. */
  public static ProbeResult run(
      Testbed testbed, Path probe, String target, Duration interval, Duration duration) {
    try (OutageProbe p = start(testbed, probe, target, interval, Duration.ofSeconds(30))) {
      // The measuring window itself: a fixed time by definition, nothing to wait for.
      sleep(duration);
      return p.stop();
    }
  }

  /** Returns when ferry-probe reports its first reply; fails if it exits or stays silent. */
  private void awaitFirstReply(Duration waitFirst) {
    try {
      measuring.get(waitFirst.plusSeconds(2).toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      close();
      throw new TestbedException("start probe", "no reply from the guest within " + waitFirst);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new TestbedException("start probe", "interrupted", e);
    }
    if (!process.isAlive()) {
      awaitStderr();
      throw new TestbedException(
          "start probe",
          "ferry-probe exited with status "
              + process.exitValue()
              + " (no reply from the guest?): "
              + stderr.toString().strip());
    }
  }

  /** Lets the stderr reader take the exited probe's last words (it ends at end of stream). */
  private void awaitStderr() {
    try {
      stderrReader.join(STDERR_GRACE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestbedException("start probe", "interrupted", e);
    }
  }

  /** Stops probing (SIGTERM) and returns the measurement. */
  public ProbeResult stop() {
    // SIGTERM through the handle: Process.destroy() would also close our end of its stdout.
    process.toHandle().destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new TestbedException("stop probe", "ferry-probe did not stop");
      }
      String out = text(stdout.get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
      if (out.isBlank()) {
        throw new TestbedException(
            "stop probe", "ferry-probe printed nothing: " + stderr.toString().strip());
      }
      return JSON.readValue(out, ProbeResult.class);
    } catch (IOException
        | java.util.concurrent.ExecutionException
        | java.util.concurrent.TimeoutException e) {
      throw new TestbedException("stop probe", "unreadable result: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestbedException("stop probe", "interrupted", e);
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }

  private static CompletableFuture<byte[]> readAsync(java.io.InputStream in) {
    CompletableFuture<byte[]> f = new CompletableFuture<>();
    Thread.ofPlatform()
        .daemon()
        .name("probe-stdout")
        .start(
            () -> {
              try {
                f.complete(in.readAllBytes());
              } catch (IOException e) {
                f.completeExceptionally(e);
              }
            });
    return f;
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static void sleep(Duration d) {
    try {
      // The measuring window itself: the probe runs for this long; nothing to wait for.
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestbedException("probe", "interrupted", e);
    }
  }
}
