package dev.ferry.manager.queue;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A wake-up call: one side signals that something changed, the other waits for a signal or a
 * deadline, whichever comes first. Signals do not queue up: many before one wait wake it once.
 */
final class Wake {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition signalled = lock.newCondition();
  private boolean pending;

  void signal() {
    lock.lock();
    try {
      pending = true;
      signalled.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until signalled or {@code max} passed, and consumes the signal.
   *
   * @return whether a signal came
   */
  boolean await(Duration max) throws InterruptedException {
    lock.lock();
    try {
      long left = max.toNanos();
      while (!pending && left > 0) {
        left = signalled.awaitNanos(left);
      }
      boolean was = pending;
      pending = false;
      return was;
    } finally {
      lock.unlock();
    }
  }
}
