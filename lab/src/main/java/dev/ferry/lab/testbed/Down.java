package dev.ferry.lab.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tears a testbed down, whatever state it is in: complete, half-built, or with its state file lost.
 *
 * <p>Finds the testbed's namespaces from its state file and from {@code ip netns list} (only names
 * {@link Layout#belongsTo} accepts), stops every process inside them (SIGTERM, then SIGKILL),
 * deletes them, then deletes {@code <stateRoot>/<name>} and {@code <dataRoot>/<name>}. Idempotent:
 * with nothing left it does nothing. Touches nothing that is not named after the testbed.
 */
final class Down {
  static final Duration TERM_GRACE = Duration.ofSeconds(5);
  static final Duration KILL_GRACE = Duration.ofSeconds(2);
  private static final int KILL_ROUNDS = 3;

  private static final Logger log = LoggerFactory.getLogger(Down.class);

  private final String name;
  private final List<RuntimeException> failures = new ArrayList<>();

  private Down(String name) {
    this.name = name;
  }

  static void run(String name, Path stateRoot, Path dataRoot) {
    new Down(Layout.requireValidName(name)).tearDown(stateRoot, dataRoot);
  }

  private void tearDown(Path stateRoot, Path defaultDataRoot) {
    Path stateDir = stateRoot.resolve(name);
    Optional<TestbedState> state = readState(stateDir.resolve(Layout.STATE_FILE));
    Path dataDir = state.map(s -> Path.of(s.dataRoot())).orElse(defaultDataRoot).resolve(name);

    List<String> existing = Netns.list();
    Set<String> namespaces = new LinkedHashSet<>();
    state.ifPresent(s -> namespaces.addAll(s.namespaces()));
    namespaces.addAll(existing);
    namespaces.removeIf(ns -> !Layout.belongsTo(name, ns) || !existing.contains(ns));

    int stopped = stopProcesses(namespaces);
    List<String> deleted = new ArrayList<>();
    for (String ns : namespaces) {
      attempt(
          () -> {
            if (Netns.delete(ns)) {
              deleted.add(ns);
            }
          });
    }
    boolean stateRemoved = removeTree(stateDir);
    boolean dataRemoved = removeTree(dataDir);

    if (deleted.isEmpty() && stopped == 0 && !stateRemoved && !dataRemoved) {
      log.info("Testbed '{}': nothing to remove", name);
    } else {
      log.info(
          "Testbed '{}' down: stopped {} process(es), deleted namespaces {}, removed {}{}",
          name,
          stopped,
          deleted,
          stateRemoved ? stateDir : "",
          dataRemoved ? (stateRemoved ? " and " : "") + dataDir : "");
    }
    if (!failures.isEmpty()) {
      TestbedException e =
          new TestbedException(
              "tear down testbed " + name,
              failures.size() + " step(s) failed, first: " + failures.getFirst().getMessage());
      failures.forEach(e::addSuppressed);
      throw e;
    }
  }

  private Optional<TestbedState> readState(Path file) {
    try {
      return StateStore.read(file);
    } catch (RuntimeException e) {
      // A damaged state file must not keep us from cleaning up; the namespace names suffice.
      log.warn("Testbed '{}': ignoring unreadable state: {}", name, e.getMessage());
      return Optional.empty();
    }
  }

  /** Stops every process in {@code namespaces}; returns how many there were. */
  private int stopProcesses(Set<String> namespaces) {
    Map<Long, String> found = processesIn(namespaces);
    if (found.isEmpty()) {
      return 0;
    }
    log.info("Testbed '{}': stopping {}", name, describe(found));
    signal(found, false);
    awaitExit(found, TERM_GRACE);
    for (int round = 0; round < KILL_ROUNDS; round++) {
      Map<Long, String> left = processesIn(namespaces);
      if (left.isEmpty()) {
        return found.size();
      }
      log.warn("Testbed '{}': killing what ignored SIGTERM: {}", name, describe(left));
      signal(left, true);
      awaitExit(left, KILL_GRACE);
    }
    Map<Long, String> survivors = processesIn(namespaces);
    if (!survivors.isEmpty()) {
      failures.add(
          new TestbedException(
              "stop processes of testbed " + name, "still running: " + describe(survivors)));
    }
    return found.size();
  }

  private Map<Long, String> processesIn(Set<String> namespaces) {
    Map<Long, String> found = new LinkedHashMap<>();
    for (String ns : namespaces) {
      attempt(() -> Netns.pids(ns).forEach(pid -> found.put(pid, ns)));
    }
    found.remove(ProcessHandle.current().pid());
    return found;
  }

  private static void signal(Map<Long, String> processes, boolean kill) {
    processes
        .keySet()
        .forEach(
            pid ->
                ProcessHandle.of(pid)
                    .ifPresent(
                        h -> {
                          if (kill) {
                            h.destroyForcibly();
                          } else {
                            h.destroy();
                          }
                        }));
  }

  private static void awaitExit(Map<Long, String> processes, Duration grace) {
    CompletableFuture<?>[] exits =
        processes.keySet().stream()
            .map(ProcessHandle::of)
            .flatMap(Optional::stream)
            .map(ProcessHandle::onExit)
            .toArray(CompletableFuture<?>[]::new);
    try {
      CompletableFuture.allOf(exits).get(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // Whoever is left gets the next, harder signal.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestbedException("stop processes", "interrupted", e);
    }
  }

  private static String describe(Map<Long, String> processes) {
    List<String> parts = new ArrayList<>();
    processes.forEach(
        (pid, ns) -> {
          String command = ProcessHandle.of(pid).flatMap(h -> h.info().command()).orElse("?");
          parts.add("pid " + pid + " (" + command + ") in " + ns);
        });
    return String.join(", ", parts);
  }

  /** Deletes {@code dir} and everything below it, never following links; false if absent. */
  private boolean removeTree(Path dir) {
    if (!dir.getFileName().toString().equals(name)) {
      throw new IllegalStateException("refusing to delete " + dir + ": not named " + name);
    }
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    attempt(
        () -> {
          try {
            Files.walkFileTree(
                dir,
                new SimpleFileVisitor<>() {
                  @Override
                  public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                      throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                  }

                  @Override
                  public FileVisitResult visitFileFailed(Path file, IOException e)
                      throws IOException {
                    if (e instanceof NoSuchFileException) {
                      return FileVisitResult.CONTINUE;
                    }
                    throw e;
                  }

                  @Override
                  public FileVisitResult postVisitDirectory(Path d, IOException e)
                      throws IOException {
                    if (e != null) {
                      throw e;
                    }
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                  }
                });
          } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir, e);
          }
        });
    return true;
  }

  /** Runs one cleanup step; a failure is recorded and the remaining steps still run. */
  private void attempt(Runnable step) {
    try {
      step.run();
    } catch (RuntimeException e) {
      log.warn("Testbed '{}': {}", name, e.getMessage());
      failures.add(e);
    }
  }
}
