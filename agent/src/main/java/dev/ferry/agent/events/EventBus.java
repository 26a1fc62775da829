package dev.ferry.agent.events;

import dev.ferry.api.AgentEvent;
import dev.ferry.api.VmState;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's event log: numbers events, keeps the most recent ones for clients that reconnect
 * ({@code ?since=seq}), and hands each new event to the subscribers, in order, on the publishing
 * thread and under the bus lock. Subscribers must therefore only enqueue (never block); a throwing
 * subscriber is logged and skipped.
 */
public final class EventBus {
  private static final Logger log = LoggerFactory.getLogger(EventBus.class);
  private static final int RETAINED = 1000;

  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<AgentEvent> recent = new ArrayDeque<>();
  private final List<Consumer<AgentEvent>> subscribers = new CopyOnWriteArrayList<>();
  private long seq;

  public EventBus(Clock clock) {
    this.clock = clock;
  }

  /** Records and delivers an event. */
  public AgentEvent publish(
      AgentEvent.Type type, Optional<String> vm, Optional<VmState> state, String message) {
    return publish(type, vm, state, message, Optional.empty(), Optional.empty());
  }

  /** Records and delivers a migration event. */
  public AgentEvent publish(
      AgentEvent.Type type,
      Optional<String> vm,
      Optional<VmState> state,
      String message,
      Optional<String> migration,
      Optional<dev.ferry.migration.Progress> progress) {
    AgentEvent event;
    lock.lock();
    try {
      event = new AgentEvent(++seq, clock.instant(), type, vm, state, message, migration, progress);
      recent.addLast(event);
      if (recent.size() > RETAINED) {
        recent.removeFirst();
      }
      for (Consumer<AgentEvent> s : subscribers) {
        try {
          s.accept(event);
        } catch (RuntimeException e) {
          log.warn("Event subscriber failed on event {}: {}", event.seq(), e.toString());
        }
      }
    } finally {
      lock.unlock();
    }
    if (type != AgentEvent.Type.MIGRATION_PROGRESS) {
      log.debug("event {}", event);
    }
    return event;
  }

  /**
   * Subscribes, first replaying retained events newer than {@code sinceSeq}, with no gap and no
   * duplicate between replay and live delivery.
   *
   * @return a handle that unsubscribes when closed
   */
  public Subscription subscribe(long sinceSeq, Consumer<AgentEvent> subscriber) {
    lock.lock();
    try {
      for (AgentEvent e : recent) {
        if (e.seq() > sinceSeq) {
          subscriber.accept(e);
        }
      }
      subscribers.add(subscriber);
    } finally {
      lock.unlock();
    }
    return () -> subscribers.remove(subscriber);
  }

  /** Ends a subscription; closing twice is harmless. */
  public interface Subscription extends AutoCloseable {
    @Override
    void close();
  }

  /** Retained events newer than {@code sinceSeq}, oldest first. */
  public List<AgentEvent> since(long sinceSeq) {
    lock.lock();
    try {
      return recent.stream().filter(e -> e.seq() > sinceSeq).toList();
    } finally {
      lock.unlock();
    }
  }
}
