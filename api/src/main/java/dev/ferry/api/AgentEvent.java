package dev.ferry.api;

import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * Something that happened on a host, as streamed by {@code GET /v1/events}.
 *
 * @param seq increasing per agent process; lets a client resume after a reconnect
 * @param at when it happened
 * @param type what kind of thing happened
 * @param vm the VM concerned, if any
 * @param state the VM's new state, for state changes
 * @param message a sentence for the operator
 * @param migration the migration concerned, for migration events
 * @param progress the migration's progress, for progress events
 */
public record AgentEvent(
    long seq,
    Instant at,
    Type type,
    Optional<String> vm,
    Optional<VmState> state,
    String message,
    Optional<String> migration,
    Optional<dev.ferry.migration.Progress> progress) {

  public AgentEvent {
    vm = vm == null ? Optional.empty() : vm;
    state = state == null ? Optional.empty() : state;
    migration = migration == null ? Optional.empty() : migration;
    progress = progress == null ? Optional.empty() : progress;
  }

  /** Kinds of agent events. */
  public enum Type {
    AGENT_STARTED,
    VM_CREATED,
    VM_DELETED,
    VM_STATE_CHANGED,
    VM_ADOPTED,
    /** A VM found running here without its lease was paused, or killed once its owner ran it. */
    VM_FENCED,
    GUEST_EVENT,
    MIGRATION_STATE,
    MIGRATION_PROGRESS;

    @JsonValue
    public String text() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
