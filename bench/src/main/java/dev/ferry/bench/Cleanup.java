package dev.ferry.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the benchmark started and must undo: QEMU processes, daemons, link caps. The normal
 * path undoes each one itself ({@link Registration#close()}); whatever is left when the benchmark
 * is interrupted is undone by {@link #runAll()} from the shutdown hook, newest first.
 *
 * <p>Thread-safe: the main thread registers and closes, the shutdown hook may run everything at the
 * same time; each action runs at most once.
 */
public final class Cleanup {
  private static final Logger log = LoggerFactory.getLogger(Cleanup.class);

  private final ReentrantLock lock = new ReentrantLock();
  private final Deque<Registration> pending = new ArrayDeque<>();
  private boolean closed;

  /**
   * Registers {@code action}; close the returned registration to run it (once).
   *
   * @throws BenchException after {@link #runAll()} began (the benchmark is ending): then {@code
   *     action} has been run at once, so whatever it undoes does not outlive the benchmark
   */
  public Registration add(String what, Runnable action) {
    Registration r = new Registration(what, action);
    lock.lock();
    try {
      if (!closed) {
        pending.push(r);
        return r;
      }
    } finally {
      lock.unlock();
    }
    r.close();
    throw new BenchException(what, "the benchmark is shutting down");
  }

  /**
   * Runs every action not yet run, newest first; a failing action does not stop the others. Actions
   * registered afterwards run at once.
   */
  public void runAll() {
    List<Registration> all;
    lock.lock();
    try {
      closed = true;
      all = new ArrayList<>(pending);
    } finally {
      lock.unlock();
    }
    all.forEach(Registration::close);
  }

  /** One undo action. */
  public final class Registration implements AutoCloseable {
    private final String what;
    private final Runnable action;
    private final AtomicBoolean done = new AtomicBoolean();

    private Registration(String what, Runnable action) {
      this.what = what;
      this.action = action;
    }

    /** Runs the action unless it already ran; failures are logged, not thrown. */
    @Override
    public void close() {
      if (!done.compareAndSet(false, true)) {
        return;
      }
      try {
        action.run();
      } catch (RuntimeException e) {
        log.warn("Cleanup '{}' failed: {}", what, e.toString());
      } finally {
        lock.lock();
        try {
          pending.remove(this);
        } finally {
          lock.unlock();
        }
      }
    }
  }

  /**
   * Ends a process the benchmark started, by its pid: SIGTERM, then SIGKILL after {@code grace}.
   * Returns once it is gone (or after a further 10 s).
   */
  public static void kill(ProcessHandle process, Duration grace) {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    if (!awaitExit(process, grace)) {
      log.warn("pid {} ignored SIGTERM for {} ms; killing it", process.pid(), grace.toMillis());
      process.destroyForcibly();
      if (!awaitExit(process, Duration.ofSeconds(10))) {
        log.warn("pid {} is still alive after SIGKILL", process.pid());
      }
    }
  }

  /** Removes {@code dir} and everything below it; an absent directory is fine. */
  public static void deleteTree(Path dir) {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + dir, e);
    }
  }

  private static boolean awaitExit(ProcessHandle process, Duration timeout) {
    try {
      process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      return !process.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }
}
