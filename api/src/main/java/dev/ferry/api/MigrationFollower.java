package dev.ferry.api;

import dev.ferry.migration.MigrationRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Follows one migration on its source agent, woken by the agent's event stream ({@code GET
 * /v1/events}) instead of by polling: every event about the migration re-reads its record. The
 * stream runs on its own connection and virtual thread from the agent's retained backlog ({@code
 * since=0}), so nothing that happened before the first read is missed. If the stream drops, a slow
 * re-read every {@link #FALLBACK} keeps the follower going.
 *
 * <p>Used by the {@code ferry} command's watch, by the lab's demo and by the bench.
 */
public final class MigrationFollower implements AutoCloseable {
  /** How long a wait lasts without an event before the record is read anyway. */
  public static final Duration FALLBACK = Duration.ofSeconds(2);

  private final AgentClient agent;
  private final AgentClient stream;
  private final String id;
  private final LinkedBlockingQueue<Boolean> signals = new LinkedBlockingQueue<>();
  private final Thread reader;

  /** Starts following migration {@code id} on {@code agent} (its source). */
  public MigrationFollower(AgentClient agent, String id) {
    this.agent = agent;
    this.id = id;
    this.stream = new AgentClient(agent.endpoint, agent.timeout);
    this.reader = Thread.ofVirtual().name("follow-" + id).start(this::read);
  }

  private void read() {
    try {
      stream.followEvents(
          0,
          e -> {
            if (e.migration().filter(id::equals).isPresent()) {
              signals.offer(Boolean.TRUE);
            }
          });
    } catch (RuntimeException e) {
      // The stream is gone (agent restarted, follower closed): the fallback re-read takes over.
    }
  }

  /** Ends a {@link #next} wait now (e.g. on Ctrl-C). */
  public void wake() {
    signals.offer(Boolean.FALSE);
  }

  /**
   * Waits until the migration changes, {@code within} passes or {@link #wake()} is called, then
   * returns its record as the agent has it.
   *
   * @throws InterruptedException if the thread is interrupted while waiting
   */
  public MigrationRecord next(Duration within) throws InterruptedException {
    signals.poll(Math.max(1, within.toMillis()), TimeUnit.MILLISECONDS);
    signals.clear();
    return agent.migration(id);
  }

  /**
   * Follows migration {@code id} until it reaches a terminal state or {@code limit} passes, handing
   * each record read to {@code onUpdate}; returns the last record read (terminal unless the limit
   * passed).
   *
   * @throws InterruptedException if the thread is interrupted while waiting
   */
  public static MigrationRecord awaitEnd(
      AgentClient agent, String id, Duration limit, Consumer<MigrationRecord> onUpdate)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(limit);
    try (MigrationFollower follower = new MigrationFollower(agent, id)) {
      MigrationRecord r = agent.migration(id);
      onUpdate.accept(r);
      while (!r.state().terminal()) {
        Duration left = Duration.between(Instant.now(), deadline);
        if (left.isNegative() || left.isZero()) {
          return r;
        }
        r = follower.next(left.compareTo(FALLBACK) < 0 ? left : FALLBACK);
        onUpdate.accept(r);
      }
      return r;
    }
  }

  @Override
  public void close() {
    reader.interrupt();
    stream.close();
  }
}
