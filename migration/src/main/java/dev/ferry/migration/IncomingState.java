package dev.ferry.migration;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the destination's side of a migration is, with what it created (so it can be removed) and
 * the epoch it takes the VM over with. {@link IncomingStateMachine} is the only way from one state
 * to the next; the destination agent journals each state before acting on it, and after a restart
 * answers the source from its journal instead of forgetting the migration.
 *
 * <pre>
 *  Receiving(created, exports) ─TakeoverRequested(epoch)→ TakingOver(epoch) ─TookOver→ HandedOver
 *      │                                                    └─TakeoverFailed→ Receiving
 *      └─Discard(why)→ Discarded(why)          (abort by the source, the watchdog, a restart)
 * </pre>
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "name")
@JsonSubTypes({
  @JsonSubTypes.Type(value = IncomingState.Receiving.class, name = "receiving"),
  @JsonSubTypes.Type(value = IncomingState.TakingOver.class, name = "taking-over"),
  @JsonSubTypes.Type(value = IncomingState.HandedOver.class, name = "handed-over"),
  @JsonSubTypes.Type(value = IncomingState.Discarded.class, name = "discarded")
})
public sealed interface IncomingState {

  /** The state's name as shown to operators. */
  default String label() {
    return switch (this) {
      case Receiving r -> "receiving";
      case TakingOver t -> "taking-over";
      case HandedOver h -> "handed-over";
      case Discarded d -> "discarded";
    };
  }

  default boolean terminal() {
    return this instanceof HandedOver || this instanceof Discarded;
  }

  /**
   * QEMU waits for or receives the stream (and the disk copies over NBD).
   *
   * @param created disk images this host created for the copies (deleted if it is discarded)
   * @param exports NBD exports serving those images to the source
   */
  record Receiving(List<Path> created, List<String> exports) implements IncomingState {
    public Receiving {
      created = List.copyOf(created);
      exports = List.copyOf(exports);
    }
  }

  /** Ownership with {@code epoch} is being persisted and the guest resumed here. */
  record TakingOver(long epoch, Receiving receiving) implements IncomingState {}

  /** This host owns and runs the VM with {@code epoch}. */
  record HandedOver(long epoch) implements IncomingState {}

  /** Removed, with why: the source aborted, the source went silent, QEMU died, or a restart. */
  record Discarded(String why) implements IncomingState {}
}
