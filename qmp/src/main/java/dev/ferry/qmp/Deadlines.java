package dev.ferry.qmp;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** Fails futures that take too long, without keeping a timer alive once they complete. */
final class Deadlines {

  // Longer deadlines are as good as none; keeps toNanos() from overflowing.
  private static final Duration LONGEST = Duration.ofDays(365);

  private Deadlines() {}

  /**
   * Completes {@code future} with {@code error} after {@code timeout} unless it completed first.
   * The failure is applied on {@code completer}, so dependent stages never run on the JDK's shared
   * timer thread.
   */
  static void failAfter(
      CompletableFuture<?> future,
      Duration timeout,
      Supplier<? extends Throwable> error,
      Executor completer) {
    Duration bounded = timeout.compareTo(LONGEST) > 0 ? LONGEST : timeout;
    CompletableFuture<Void> timer = new CompletableFuture<>();
    // orTimeout's timer task is cancelled when `timer` completes, i.e. when `future` does.
    timer
        .orTimeout(bounded.toNanos(), TimeUnit.NANOSECONDS)
        .whenComplete(
            (ignored, failure) -> {
              if (failure instanceof TimeoutException) {
                completer.execute(() -> future.completeExceptionally(error.get()));
              }
            });
    future.whenComplete((result, failure) -> timer.complete(null));
  }
}
