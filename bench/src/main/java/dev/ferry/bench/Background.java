package dev.ferry.bench;

import dev.ferry.lab.testbed.Testbed;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A command running in a testbed namespace while the benchmark does other things (a {@code virsh
 * migrate} it may have to abort). Its output is collected on two platform threads (a virtual thread
 * blocked on a pipe for minutes would pin a carrier; see {@link Bench#main}); closing it kills the
 * command by pid if it still runs.
 */
public final class Background implements AutoCloseable {
  private static final Duration KILL_GRACE = Duration.ofSeconds(5);
  private static final Duration OUTPUT_TIMEOUT = Duration.ofSeconds(5);

  private final Process process;
  private final CompletableFuture<String> stdout;
  private final CompletableFuture<String> stderr;
  private final Cleanup.Registration undo;

  private Background(Process process, Cleanup cleanup, String what) {
    this.process = process;
    this.stdout = collect(process.getInputStream());
    this.stderr = collect(process.getErrorStream());
    this.undo = cleanup.add(what, () -> Cleanup.kill(process.toHandle(), KILL_GRACE));
  }

  /** Starts {@code command} in {@code namespace}. */
  public static Background start(
      Testbed testbed, String namespace, List<String> command, Cleanup cleanup) {
    return new Background(testbed.startIn(namespace, command), cleanup, String.join(" ", command));
  }

  /** Waits up to {@code timeout}; true if the command has ended. */
  public boolean awaitExit(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("wait for a command", "interrupted", e);
    }
  }

  /** The exit status; only valid once {@link #awaitExit} returned true. */
  public int exitCode() {
    return process.exitValue();
  }

  /** Everything the command wrote to stdout; only complete once it has ended. */
  public String stdout() {
    return await(stdout);
  }

  /** Everything the command wrote to stderr; only complete once it has ended. */
  public String stderr() {
    return await(stderr);
  }

  @Override
  public void close() {
    undo.close();
  }

  private static String await(CompletableFuture<String> text) {
    try {
      return text.get(OUTPUT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      return "(output incomplete)";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("read a command's output", "interrupted", e);
    }
  }

  private static CompletableFuture<String> collect(InputStream in) {
    CompletableFuture<String> text = new CompletableFuture<>();
    Thread.ofPlatform()
        .daemon()
        .name("background-output")
        .start(
            () -> {
              try (in) {
                text.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
              } catch (IOException e) {
                text.complete("(output unreadable: " + e.getMessage() + ")");
              }
            });
    return text;
  }
}
