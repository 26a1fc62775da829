package dev.ferry.cli;

import java.time.Duration;

/**
 * The pace at which a command re-reads the manager while it follows a queued migration or an
 * evacuation. The one place the commands wait on the manager.
 */
final class ManagerCadence {
  /** A queue entry changes phase within seconds; twice a second reads as live. */
  static final Duration MIGRATION = Duration.ofMillis(500);

  /** An evacuation takes minutes; once a second is enough. */
  static final Duration MAINTENANCE = Duration.ofSeconds(1);

  private ManagerCadence() {}

  /**
   * Waits one refresh interval; an interrupt ends the command (the exception propagates).
   *
   * @throws InterruptedException if the thread is interrupted
   */
  static void pause(Duration interval) throws InterruptedException {
    // The manager offers clients no event stream (its /v1/events is a list for the console).
    Thread.sleep(interval);
  }
}
