package dev.ferry.migration;

import dev.ferry.common.ByteSize;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything known about one migration: what was asked, what was predicted, what happened and when.
 * Persisted by the source agent (versioned) and served by {@code /v1/migrations}.
 *
 * @param formatVersion record format version
 * @param id migration id
 * @param vm VM name
 * @param source source host name
 * @param destination destination host name
 * @param state current (or final) state
 * @param startedAt when it was requested
 * @param endedAt when it reached a terminal state
 * @param phases when each phase began
 * @param settings the settings it runs with (bandwidth may change while it runs)
 * @param prediction the model's expectation, from preflight
 * @param budget the time budget enforced
 * @param durationMs total time, request to end
 * @param downtimeMs QEMU's own downtime figure
 * @param outageMs the longest gap the client-side probe saw
 * @param bytesTransferred bytes the stream carried
 * @param passes pre-copy passes
 * @param error phase and cause, when it did not complete
 * @param progress the latest progress
 * @param transitions every state change, with its reason
 * @param warnings things that went wrong without failing it (e.g. cleanup)
 * @param epoch the VM's ownership epoch after handover
 */
public record MigrationRecord(
    int formatVersion,
    MigrationId id,
    String vm,
    String source,
    String destination,
    MigrationState state,
    Instant startedAt,
    Optional<Instant> endedAt,
    Map<MigrationPhase, Instant> phases,
    MigrationSettings settings,
    Optional<Prediction> prediction,
    Optional<Duration> budget,
    Optional<Long> durationMs,
    Optional<Long> downtimeMs,
    Optional<Long> outageMs,
    Optional<ByteSize> bytesTransferred,
    long passes,
    Optional<MigrationError> error,
    Optional<Progress> progress,
    List<Transition> transitions,
    List<String> warnings,
    Optional<Long> epoch) {

  public static final int FORMAT_VERSION = 1;

  public MigrationRecord {
    endedAt = endedAt == null ? Optional.empty() : endedAt;
    phases = phases == null ? Map.of() : Map.copyOf(phases);
    prediction = prediction == null ? Optional.empty() : prediction;
    budget = budget == null ? Optional.empty() : budget;
    durationMs = durationMs == null ? Optional.empty() : durationMs;
    downtimeMs = downtimeMs == null ? Optional.empty() : downtimeMs;
    outageMs = outageMs == null ? Optional.empty() : outageMs;
    bytesTransferred = bytesTransferred == null ? Optional.empty() : bytesTransferred;
    error = error == null ? Optional.empty() : error;
    progress = progress == null ? Optional.empty() : progress;
    transitions = transitions == null ? List.of() : List.copyOf(transitions);
    warnings = warnings == null ? List.of() : List.copyOf(warnings);
    epoch = epoch == null ? Optional.empty() : epoch;
  }

  /** One state change. */
  public record Transition(Instant at, String from, String to, String why) {}

  /** Where and why a migration ended badly. */
  public record MigrationError(MigrationPhase phase, String cause) {}
}
