package dev.ferry.agent.migration.outgoing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Real time plus an offset a test can move forward: the engine's waits still flow, and a test jumps
 * past a stall timeout or a time budget at once instead of waiting for it.
 */
final class OffsetClock extends Clock {
  private final AtomicLong offsetNanos = new AtomicLong();

  void advance(Duration d) {
    offsetNanos.addAndGet(d.toNanos());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Instant instant() {
    return Instant.now().plusNanos(offsetNanos.get());
  }
}
