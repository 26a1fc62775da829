package dev.ferry.agent.migration.incoming;

import dev.ferry.agent.vm.IncomingHandle;
import dev.ferry.migration.IncomingEvent;
import dev.ferry.migration.IncomingState;
import dev.ferry.migration.IncomingStateMachine;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One incoming migration on this host: its journalled record, the hold on its VM, and when the
 * source was last heard. Every change of state goes through {@link IncomingStateMachine} and is
 * journalled before the caller acts on it. Operations on a side hold its {@link #lock}; the
 * watchdog only tries it.
 */
final class IncomingSide {
  final ReentrantLock lock = new ReentrantLock();
  private final IncomingStore store;
  private volatile IncomingRecord record;
  private volatile IncomingHandle handle;
  private volatile Instant lastKeepAlive;
  private volatile Optional<String> recoveryUri = Optional.empty();

  IncomingSide(IncomingStore store, IncomingRecord record, IncomingHandle handle) {
    this.store = store;
    this.record = record;
    this.handle = handle;
    this.lastKeepAlive = record.since();
  }

  IncomingRecord record() {
    return record;
  }

  IncomingState state() {
    return record.state();
  }

  String vm() {
    return record.vm();
  }

  /** The hold on the VM; empty for a side known only from its journal (after a restart). */
  Optional<IncomingHandle> handle() {
    return Optional.ofNullable(handle);
  }

  void attach(IncomingHandle h) {
    this.handle = h;
  }

  /** Where this host listens for a post-copy stream being recovered, once asked. */
  Optional<String> recoveryUri() {
    return recoveryUri;
  }

  void recoveringOn(String uri) {
    recoveryUri = Optional.of(uri);
  }

  void keptAlive(Instant at) {
    lastKeepAlive = at;
  }

  /** How long the source has been silent, when longer than it may be. */
  Optional<Duration> silence(Instant now) {
    Duration quiet = Duration.between(lastKeepAlive, now);
    return quiet.compareTo(record.keepAliveTimeout()) > 0 ? Optional.of(quiet) : Optional.empty();
  }

  /**
   * Moves the side on and journals it; the caller acts afterwards.
   *
   * @throws IncomingStateMachine.Refused if the state does not take the event
   */
  IncomingState fire(IncomingEvent event, Instant at) {
    IncomingRecord next = record.with(IncomingStateMachine.next(record.state(), event), at);
    store.save(next);
    record = next;
    return next.state();
  }
}
