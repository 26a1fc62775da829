package dev.ferry.bench;

/**
 * A way of live-migrating a guest from the testbed's host-a to host-b: Ferry itself, or one of the
 * peers it is compared with. Each {@link #run} boots a fresh guest on the source, lets its workload
 * warm up, migrates it while the guest is probed from the client, and removes the guest from both
 * hosts again, whatever happened.
 *
 * <p>Runs are made one at a time from the benchmark's main thread; a peer may keep state between
 * runs (e.g. daemons it started) and releases it in {@link #close}.
 */
public interface Peer extends AutoCloseable {

  /** The name used on the command line and in tables. */
  String name();

  /** Whether the testbed must start a Ferry agent per host for this peer. */
  default boolean needsAgents() {
    return false;
  }

  /**
   * Migrates a fresh guest of {@code scenario} once.
   *
   * @param run 1-based run number
   * @return the figures; failures are results ({@link Outcome.Failed}), not exceptions, so one bad
   *     run does not end the benchmark
   */
  RunResult run(Scenario scenario, int run, BenchWorld world);

  /** Stops whatever the peer started for all its runs. */
  @Override
  default void close() {}
}
