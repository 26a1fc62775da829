package dev.ferry.agent.migration.outgoing;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When the memory copy started and when its second pass began: what the host's estimates learn the
 * first pass's speed from. Written by the pre-copy phase, read when the stream completes; runner
 * thread only.
 */
final class CopyClock {
  private Instant started;
  private Instant secondPass;

  void started(Instant at) {
    started = at;
  }

  void pass(long pass, Instant at) {
    if (pass >= 2 && secondPass == null) {
      secondPass = at;
    }
  }

  /** How long the first pass took; {@code total} when there was no second one. */
  Duration firstPass(Duration total) {
    return started != null && secondPass != null ? Duration.between(started, secondPass) : total;
  }

  Optional<Instant> startedAt() {
    return Optional.ofNullable(started);
  }
}
