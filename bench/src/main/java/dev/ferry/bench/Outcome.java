package dev.ferry.bench;

import java.time.Duration;
import java.util.Objects;

/** How one migration attempt ended. */
public sealed interface Outcome {

  /** The guest runs on the destination. */
  record Converged() implements Outcome {}

  /**
   * The migration was still copying memory when the benchmark gave up and cancelled it; the guest
   * kept running on the source.
   */
  record NotConverged(Duration gaveUpAfter) implements Outcome {
    public NotConverged {
      Objects.requireNonNull(gaveUpAfter, "gaveUpAfter");
    }
  }

  /** The attempt went wrong (a peer's error, a guest that did not boot...). */
  record Failed(String reason) implements Outcome {
    public Failed {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** The peer cannot run on this machine, or is not wired up yet; nothing was attempted. */
  record Unavailable(String reason) implements Outcome {
    public Unavailable {
      Objects.requireNonNull(reason, "reason");
    }
  }

  default boolean converged() {
    return this instanceof Converged;
  }

  /** A short phrase for tables: {@code converged}, {@code gave up after 90 s}, ... */
  default String describe() {
    return switch (this) {
      case Converged c -> "converged";
      case NotConverged n -> "not converged after " + n.gaveUpAfter().toSeconds() + " s";
      case Failed f -> "failed: " + f.reason();
      case Unavailable u -> "unavailable: " + u.reason();
    };
  }
}
