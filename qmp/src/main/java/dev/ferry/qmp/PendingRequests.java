package dev.ferry.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Requests sent and not yet answered, by their {@code id}. Ids are unique for the life of the
 * connection and never reused, so a late reply to a timed-out request cannot be taken for another
 * request's. A request leaves the table when its future completes, however that happens.
 * Thread-safe.
 */
final class PendingRequests {

  /** One request in flight. */
  record Pending<R>(QmpCommand<R> command, CompletableFuture<R> future) {}

  private final AtomicLong lastId = new AtomicLong();
  private final ConcurrentHashMap<Long, Pending<?>> byId = new ConcurrentHashMap<>();

  long nextId() {
    return lastId.incrementAndGet();
  }

  <R> void add(long id, QmpCommand<R> command, CompletableFuture<R> future) {
    byId.put(id, new Pending<>(command, future));
    future.whenComplete((result, error) -> byId.remove(id));
  }

  /** Takes the request {@code id} answers, or null if none is waiting for it. */
  Pending<?> take(JsonNode id) {
    if (id == null || !id.isIntegralNumber() || !id.canConvertToLong()) {
      return null;
    }
    return byId.remove(id.asLong());
  }

  /** Whether {@code id} is one this connection handed out (so a reply to it came too late). */
  boolean wasIssued(JsonNode id) {
    return id != null
        && id.isIntegralNumber()
        && id.canConvertToLong()
        && id.asLong() > 0
        && id.asLong() <= lastId.get();
  }

  List<Pending<?>> takeAll() {
    List<Pending<?>> all = new ArrayList<>();
    for (Long id : List.copyOf(byId.keySet())) {
      Pending<?> pending = byId.remove(id);
      if (pending != null) {
        all.add(pending);
      }
    }
    return all;
  }
}
