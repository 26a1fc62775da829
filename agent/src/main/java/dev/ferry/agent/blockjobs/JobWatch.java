package dev.ferry.agent.blockjobs;

import dev.ferry.qmp.BlockCommand;
import dev.ferry.qmp.BlockJobInfo;
import dev.ferry.qmp.QmpClient;
import dev.ferry.qmp.QmpEvent;
import dev.ferry.qmp.Subscription;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Waits for one block job by its {@code BLOCK_JOB_*} events: subscribe before the command that
 * starts or ends the job, then await its readiness or its end. A job that reached the awaited point
 * before the watch began is found by one {@code query-block-jobs}. For callers that have no event
 * loop of their own (the storage-only move); the migration runner routes the same events into its
 * inbox instead.
 */
public final class JobWatch implements AutoCloseable {
  private final QmpClient qmp;
  private final String job;
  private final BlockingQueue<QmpEvent> events = new LinkedBlockingQueue<>();
  private final Subscription subscription;

  private JobWatch(QmpClient qmp, String job) {
    this.qmp = qmp;
    this.job = job;
    this.subscription =
        qmp.subscribe(
            e -> {
              String device =
                  switch (e) {
                    case QmpEvent.BlockJobReady r -> r.device();
                    case QmpEvent.BlockJobCompleted c -> c.device();
                    case QmpEvent.BlockJobCancelled c -> c.device();
                    case QmpEvent.BlockJobError x -> x.device();
                    default -> null;
                  };
              if (job.equals(device)) {
                events.add(e);
              }
            });
  }

  /** Starts watching {@code job}; close it when done. */
  public static JobWatch on(QmpClient qmp, String job) {
    return new JobWatch(qmp, job);
  }

  /**
   * Returns once the job is ready (caught up, following writes).
   *
   * @throws BlockJobException if it ended, failed or did not get ready within {@code patience}
   */
  public void awaitReady(Duration patience) throws InterruptedException {
    Optional<BlockJobInfo> now = current();
    if (now.isPresent() && now.get().ready()) {
      return;
    }
    if (now.isEmpty() && events.isEmpty()) {
      throw new BlockJobException("the job " + job + " ended before it was ready");
    }
    while (true) {
      QmpEvent e = next(patience, "ready");
      switch (e) {
        case QmpEvent.BlockJobReady r -> {
          return;
        }
        case QmpEvent.BlockJobCompleted c ->
            throw new BlockJobException(
                "the job "
                    + job
                    + " ended before it was ready"
                    + c.error().map(x -> ": " + x).orElse(""));
        case QmpEvent.BlockJobCancelled c ->
            throw new BlockJobException("the job " + job + " was cancelled before it was ready");
        case QmpEvent.BlockJobError x ->
            throw new BlockJobException(
                "the job " + job + " hit an I/O error (" + x.operation() + ")");
        default -> {}
      }
    }
  }

  /**
   * Returns once the job ended; its error, if it failed.
   *
   * @throws BlockJobException if it did not end within {@code patience}
   */
  public Optional<String> awaitEnded(Duration patience) throws InterruptedException {
    while (true) {
      if (events.isEmpty() && current().isEmpty()) {
        return Optional.empty();
      }
      QmpEvent e = next(patience, "done");
      switch (e) {
        case QmpEvent.BlockJobCompleted c -> {
          return c.error();
        }
        case QmpEvent.BlockJobCancelled c -> {
          return Optional.empty();
        }
        default -> {}
      }
    }
  }

  private QmpEvent next(Duration patience, String what) throws InterruptedException {
    QmpEvent e = events.poll(patience.toMillis(), TimeUnit.MILLISECONDS);
    if (e == null) {
      throw new BlockJobException(
          "the job " + job + " did not get " + what + " within " + patience.toSeconds() + " s");
    }
    return e;
  }

  private Optional<BlockJobInfo> current() {
    return qmp.call(new BlockCommand.QueryBlockJobs()).stream()
        .filter(j -> j.device().equals(job))
        .findFirst();
  }

  @Override
  public void close() {
    subscription.close();
  }

  /** A block job did not do what was awaited; the message says what and which job. */
  public static final class BlockJobException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BlockJobException(String message) {
      super(message);
    }
  }
}
