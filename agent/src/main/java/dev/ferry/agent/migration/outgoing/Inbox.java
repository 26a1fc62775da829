package dev.ferry.agent.migration.outgoing;

import dev.ferry.qmp.QmpClient;
import dev.ferry.qmp.QmpEvent;
import dev.ferry.qmp.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The migration's inbox: the one queue its runner thread reads. Other threads post requests; the
 * source QEMU's migration and block-job events are routed in once {@link #listenTo} is called.
 * Thread-safe.
 */
final class Inbox implements AutoCloseable {
  private final BlockingQueue<Signal> queue = new LinkedBlockingQueue<>();
  private Subscription qemuEvents;

  void post(Signal signal) {
    queue.add(signal);
  }

  /**
   * The next signal, waiting up to {@code wait}; empty when none came.
   *
   * @throws InterruptedException when the runner is interrupted (cancellation)
   */
  Optional<Signal> poll(Duration wait) throws InterruptedException {
    long ms = Math.max(0, wait.toMillis());
    return Optional.ofNullable(queue.poll(ms, TimeUnit.MILLISECONDS));
  }

  /** Everything waiting now, without blocking. */
  List<Signal> drain() {
    List<Signal> out = new ArrayList<>();
    queue.drainTo(out);
    return out;
  }

  /** Routes the source QEMU's migration and block-job events into this inbox (once). */
  void listenTo(QmpClient qmp) {
    if (qemuEvents != null) {
      return;
    }
    qemuEvents =
        qmp.subscribe(
            event -> {
              switch (event) {
                case QmpEvent.Migration m -> post(new Signal.Qemu(m.status()));
                case QmpEvent.MigrationPass p -> post(new Signal.Pass(p.pass()));
                case QmpEvent.BlockJobReady r -> post(new Signal.JobReady(r.device()));
                case QmpEvent.BlockJobCompleted c ->
                    post(new Signal.JobEnded(c.device(), c.error(), false));
                case QmpEvent.BlockJobCancelled c ->
                    post(new Signal.JobEnded(c.device(), Optional.empty(), true));
                case QmpEvent.BlockJobError e ->
                    post(new Signal.JobError(e.device(), String.valueOf(e.operation())));
                default -> {}
              }
            });
  }

  @Override
  public void close() {
    if (qemuEvents != null) {
      qemuEvents.close();
    }
  }
}
