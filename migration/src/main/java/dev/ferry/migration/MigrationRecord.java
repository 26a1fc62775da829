package dev.ferry.migration;

import dev.ferry.common.ByteSize;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything known about one migration: what was asked, what was predicted, what happened and when.
 * The source agent's journal of the migration (persisted before each phase acts) and the view
 * {@code /v1/migrations} serves. Immutable: the journal moves it on through the {@code with...}
 * methods, which keep its invariants (phases stamped once, transitions appended, the end time and
 * error set exactly when a terminal state is reached).
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

  /** 2: states carry their data (plan, offer, measurements); 1 had empty states. */
  public static final int FORMAT_VERSION = 2;

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

  /** A new migration in preflight. */
  public static MigrationRecord begin(
      MigrationId id,
      String vm,
      String source,
      String destination,
      Instant at,
      MigrationSettings settings) {
    return new MigrationRecord(
        FORMAT_VERSION,
        id,
        vm,
        source,
        destination,
        new MigrationState.Preflight(),
        at,
        Optional.empty(),
        Map.of(MigrationPhase.PREFLIGHT, at),
        settings,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        0,
        Optional.empty(),
        Optional.empty(),
        List.of(),
        List.of(),
        Optional.empty());
  }

  /**
   * The record after a transition to {@code to} at {@code at}: the phase's start stamped (once),
   * the transition listed when the state's name changed, and, for a terminal state, the end time,
   * the total duration, the error (aborted or failed) and the new epoch (completed).
   */
  public MigrationRecord withState(MigrationState to, Instant at, String why) {
    Map<MigrationPhase, Instant> ph = new EnumMap<>(MigrationPhase.class);
    ph.putAll(phases);
    if (!(to instanceof MigrationState.RollingBack) && !to.terminal()) {
      ph.putIfAbsent(to.phase(), at);
    }
    List<Transition> tr = transitions;
    if (!state.label().equals(to.label())) {
      tr = append(transitions, new Transition(at, state.label(), to.label(), why));
    }
    Optional<Instant> ended = endedAt;
    Optional<MigrationError> err = error;
    Optional<Long> ep = epoch;
    Optional<Long> duration = durationMs;
    if (to.terminal() && endedAt.isEmpty()) {
      ended = Optional.of(at);
      duration = Optional.of(Duration.between(startedAt, at).toMillis());
      err =
          switch (to) {
            case MigrationState.Aborted a ->
                Optional.of(new MigrationError(a.phase(), "aborted: " + a.reason()));
            case MigrationState.Failed f -> Optional.of(new MigrationError(f.phase(), f.cause()));
            default -> Optional.empty();
          };
    }
    if (to instanceof MigrationState.Cleanup c) {
      ep = Optional.of(c.epoch());
    } else if (to instanceof MigrationState.Completed c) {
      ep = Optional.of(c.epoch());
    }
    return new MigrationRecord(
        formatVersion,
        id,
        vm,
        source,
        destination,
        to,
        startedAt,
        ended,
        ph,
        settings,
        prediction,
        budget,
        duration,
        downtimeMs,
        outageMs,
        bytesTransferred,
        passes,
        err,
        progress,
        tr,
        warnings,
        ep);
  }

  /** A note in the current state (listed as a transition to itself). */
  public MigrationRecord withNote(Instant at, String why) {
    return withTransitions(
        append(transitions, new Transition(at, state.label(), state.label(), why)));
  }

  public MigrationRecord withWarning(String warning) {
    return new MigrationRecord(
        formatVersion,
        id,
        vm,
        source,
        destination,
        state,
        startedAt,
        endedAt,
        phases,
        settings,
        prediction,
        budget,
        durationMs,
        downtimeMs,
        outageMs,
        bytesTransferred,
        passes,
        error,
        progress,
        transitions,
        append(warnings, warning),
        epoch);
  }

  public MigrationRecord withSettings(MigrationSettings changed) {
    return new MigrationRecord(
        formatVersion,
        id,
        vm,
        source,
        destination,
        state,
        startedAt,
        endedAt,
        phases,
        changed,
        prediction,
        budget,
        durationMs,
        downtimeMs,
        outageMs,
        bytesTransferred,
        passes,
        error,
        progress,
        transitions,
        warnings,
        epoch);
  }

  /** The prediction and budget made from the measurements. */
  public MigrationRecord withMeasured(Measured m) {
    return new MigrationRecord(
        formatVersion,
        id,
        vm,
        source,
        destination,
        state,
        startedAt,
        endedAt,
        phases,
        settings,
        Optional.of(m.prediction()),
        Optional.of(m.budget()),
        durationMs,
        downtimeMs,
        outageMs,
        bytesTransferred,
        passes,
        error,
        progress,
        transitions,
        warnings,
        epoch);
  }

  public MigrationRecord withProgress(Progress latest) {
    return new MigrationRecord(
        formatVersion,
        id,
        vm,
        source,
        destination,
        state,
        startedAt,
        endedAt,
        phases,
        settings,
        prediction,
        budget,
        durationMs,
        downtimeMs,
        outageMs,
        bytesTransferred,
        passes,
        error,
        Optional.ofNullable(latest),
        transitions,
        warnings,
        epoch);
  }

  /** What the stream carried so far; {@code downtime} once QEMU reports it. */
  public MigrationRecord withStream(
      Optional<Duration> downtime, Optional<ByteSize> transferred, long passCount) {
    return new MigrationRecord(
        formatVersion,
        id,
        vm,
        source,
        destination,
        state,
        startedAt,
        endedAt,
        phases,
        settings,
        prediction,
        budget,
        durationMs,
        downtime.map(Duration::toMillis).or(() -> downtimeMs),
        outageMs,
        transferred.or(() -> bytesTransferred),
        Math.max(passes, passCount),
        error,
        progress,
        transitions,
        warnings,
        epoch);
  }

  /** The longest gap a client-side probe saw. */
  public MigrationRecord withOutage(Duration outage) {
    return new MigrationRecord(
        formatVersion,
        id,
        vm,
        source,
        destination,
        state,
        startedAt,
        endedAt,
        phases,
        settings,
        prediction,
        budget,
        durationMs,
        downtimeMs,
        Optional.of(outage.toMillis()),
        bytesTransferred,
        passes,
        error,
        progress,
        transitions,
        warnings,
        epoch);
  }

  /** The epoch the destination confirmed (before the record reaches completed). */
  public MigrationRecord withEpoch(long confirmed) {
    return new MigrationRecord(
        formatVersion,
        id,
        vm,
        source,
        destination,
        state,
        startedAt,
        endedAt,
        phases,
        settings,
        prediction,
        budget,
        durationMs,
        downtimeMs,
        outageMs,
        bytesTransferred,
        passes,
        error,
        progress,
        transitions,
        warnings,
        Optional.of(confirmed));
  }

  private MigrationRecord withTransitions(List<Transition> tr) {
    return new MigrationRecord(
        formatVersion,
        id,
        vm,
        source,
        destination,
        state,
        startedAt,
        endedAt,
        phases,
        settings,
        prediction,
        budget,
        durationMs,
        downtimeMs,
        outageMs,
        bytesTransferred,
        passes,
        error,
        progress,
        tr,
        warnings,
        epoch);
  }

  private static <T> List<T> append(List<T> list, T item) {
    List<T> out = new ArrayList<>(list.size() + 1);
    out.addAll(list);
    out.add(item);
    return out;
  }

  /** One state change. */
  public record Transition(Instant at, String from, String to, String why) {}

  /** Where and why a migration ended badly. */
  public record MigrationError(MigrationPhase phase, String cause) {}
}
