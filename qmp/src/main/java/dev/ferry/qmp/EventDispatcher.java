package dev.ferry.qmp;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers events to subscribers on one virtual thread per connection (the "event thread"), in the
 * order QEMU sent them, one listener call at a time. The reader thread only queues, so a slow or
 * failing listener never stalls replies.
 *
 * <p>Invariants: a subscriber sees exactly the events the reader received after {@link #subscribe}
 * returned (events are numbered on arrival; a subscriber remembers the number current when it
 * joined). A listener that throws is logged and keeps its subscription. When the connection ends,
 * events already received are still delivered, then every subscriber's close callback runs once,
 * and the thread ends.
 */
final class EventDispatcher {

  private static final Logger log = LoggerFactory.getLogger(EventDispatcher.class);

  private sealed interface Item {}

  private record Arrived(long sequence, QmpEvent event) implements Item {}

  private record Ended(CloseReason reason) implements Item {}

  private final class Subscriber implements Subscription {
    final long joinedAfter;
    final Consumer<QmpEvent> onEvent;
    final Consumer<CloseReason> onClose;

    Subscriber(long joinedAfter, Consumer<QmpEvent> onEvent, Consumer<CloseReason> onClose) {
      this.joinedAfter = joinedAfter;
      this.onEvent = onEvent;
      this.onClose = onClose;
    }

    @Override
    public void close() {
      subscribers.remove(this);
    }
  }

  private final String connection;
  private final CopyOnWriteArrayList<Subscriber> subscribers = new CopyOnWriteArrayList<>();
  private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
  private final AtomicLong lastSequence = new AtomicLong();
  private final Thread thread;
  private volatile CloseReason ended;

  EventDispatcher(String connection, String threadName) {
    this.connection = connection;
    this.thread = Thread.ofVirtual().name(threadName).unstarted(this::run);
  }

  void start() {
    thread.start();
  }

  /** Called by the reader thread for each event. */
  void publish(QmpEvent event) {
    queue.add(new Arrived(lastSequence.incrementAndGet(), event));
  }

  /**
   * Adds a subscriber; {@code onClose} runs on the event thread when the connection ends (at once,
   * if it already has).
   */
  Subscription subscribe(Consumer<QmpEvent> onEvent, Consumer<CloseReason> onClose) {
    Subscriber subscriber = new Subscriber(lastSequence.get(), onEvent, onClose);
    subscribers.add(subscriber);
    CloseReason reason = ended;
    if (reason != null && subscribers.remove(subscriber)) {
      // The end was already announced; tell this late subscriber itself.
      safely(() -> onClose.accept(reason), "close callback");
    }
    return subscriber;
  }

  /** Ends delivery after the events already queued. Idempotent. */
  void close(CloseReason reason) {
    queue.add(new Ended(reason));
  }

  private void run() {
    try {
      while (true) {
        Item item = queue.take();
        if (item instanceof Arrived arrived) {
          deliver(arrived);
        } else if (item instanceof Ended end) {
          ended = end.reason();
          for (Subscriber subscriber : subscribers) {
            if (subscribers.remove(subscriber)) {
              safely(() -> subscriber.onClose.accept(end.reason()), "close callback");
            }
          }
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn("QMP event thread for {} interrupted; no more events are delivered", connection);
    }
  }

  private void deliver(Arrived arrived) {
    for (Subscriber subscriber : subscribers) {
      if (arrived.sequence() > subscriber.joinedAfter) {
        safely(() -> subscriber.onEvent.accept(arrived.event()), "listener");
      }
    }
  }

  private void safely(Runnable call, String what) {
    try {
      call.run();
    } catch (VirtualMachineError e) {
      throw e;
    } catch (RuntimeException | Error e) {
      // A broken listener must not take event delivery down for the others.
      log.warn("QMP event {} on {} threw; delivery goes on", what, connection, e);
    }
  }
}
