package dev.ferry.bench.report;

import dev.ferry.bench.Outcome;
import dev.ferry.bench.RunResult;
import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * One peer's runs of one scenario, boiled down: how many converged, the medians over the runs that
 * converged, and a note for every run that did not.
 *
 * @param peer the peer's name
 * @param runs how many runs were made
 * @param converged how many of them converged
 * @param total median of {@link RunResult#total()} over converged runs
 * @param migration median of {@link RunResult#migration()} over converged runs
 * @param downtime median of {@link RunResult#downtime()} over converged runs
 * @param outage median of {@link RunResult#outage()} over converged runs
 * @param transferred median of {@link RunResult#transferred()} over converged runs
 * @param moved median of {@link RunResult#moved()} over converged runs
 * @param guestWrites median of {@link RunResult#guestWrites()} over converged runs
 * @param notes what happened to the other runs, one line per distinct story
 */
public record PeerSummary(
    String peer,
    int runs,
    int converged,
    Optional<Duration> total,
    Optional<Duration> migration,
    Optional<Duration> downtime,
    Optional<Duration> outage,
    Optional<ByteSize> transferred,
    Optional<ByteSize> moved,
    Optional<DataRate> guestWrites,
    List<String> notes) {

  public PeerSummary {
    notes = List.copyOf(notes);
  }

  /** Summarises {@code results}, all of one peer and one scenario. */
  public static PeerSummary of(String peer, List<RunResult> results) {
    List<RunResult> ok = results.stream().filter(r -> r.outcome().converged()).toList();
    return new PeerSummary(
        peer,
        results.size(),
        ok.size(),
        Stats.medianDuration(present(ok, RunResult::total)),
        Stats.medianDuration(present(ok, RunResult::migration)),
        Stats.medianDuration(present(ok, RunResult::downtime)),
        Stats.medianDuration(present(ok, RunResult::outage)),
        Stats.medianSize(present(ok, RunResult::transferred)),
        Stats.medianSize(present(ok, RunResult::moved)),
        Stats.medianRate(present(ok, RunResult::guestWrites)),
        notes(results));
  }

  private static List<String> notes(List<RunResult> results) {
    Set<String> notes = new LinkedHashSet<>();
    List<RunResult> gaveUp =
        results.stream().filter(r -> r.outcome() instanceof Outcome.NotConverged).toList();
    if (!gaveUp.isEmpty()) {
      Outcome.NotConverged first = (Outcome.NotConverged) gaveUp.get(0).outcome();
      StringBuilder n =
          new StringBuilder()
              .append(gaveUp.size())
              .append(" of ")
              .append(results.size())
              .append(" runs did not converge within ")
              .append(first.gaveUpAfter().toSeconds())
              .append(" s and were cancelled");
      Stats.medianSize(present(gaveUp, RunResult::transferred))
          .ifPresent(b -> n.append("; median sent before cancelling ").append(Format.size(b)));
      Stats.medianDuration(present(gaveUp, RunResult::outage))
          .ifPresent(o -> n.append("; median outage meanwhile ").append(Format.millis(o)));
      notes.add(n.toString());
    }
    for (RunResult r : results) {
      switch (r.outcome()) {
        case Outcome.Failed f -> notes.add("run " + r.run() + " failed: " + f.reason());
        case Outcome.Unavailable u -> notes.add("unavailable: " + u.reason());
        case Outcome.Converged c -> {}
        case Outcome.NotConverged n -> {}
      }
    }
    return new ArrayList<>(notes);
  }

  private static <T> List<T> present(List<RunResult> results, Function<RunResult, Optional<T>> f) {
    return results.stream().map(f).flatMap(Optional::stream).toList();
  }
}
