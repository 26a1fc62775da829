package dev.ferry.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The order runs are made in: interleaved, so that drift on the machine (other load, thermal,
 * caches) hits every peer alike. Run i migrates every scenario in turn, and within a scenario every
 * peer in turn; the peer order rotates by one from run to run so no peer always goes first.
 */
final class Schedule {
  /** One migration to make. */
  record Step(int run, Scenario scenario, String peer) {}

  private Schedule() {}

  static List<Step> of(int runs, List<Scenario> scenarios, List<String> peers) {
    if (runs < 1) {
      throw new IllegalArgumentException("runs must be at least 1: " + runs);
    }
    List<Step> steps = new ArrayList<>();
    for (int run = 1; run <= runs; run++) {
      List<String> order = rotate(peers, run - 1);
      for (Scenario s : scenarios) {
        for (String peer : order) {
          steps.add(new Step(run, s, peer));
        }
      }
    }
    return List.copyOf(steps);
  }

  /** {@code list} rotated left by {@code by}: [a, b, c] by 1 is [b, c, a]. */
  static <T> List<T> rotate(List<T> list, int by) {
    if (list.isEmpty()) {
      return List.of();
    }
    int k = Math.floorMod(by, list.size());
    List<T> out = new ArrayList<>(list.subList(k, list.size()));
    out.addAll(list.subList(0, k));
    return List.copyOf(out);
  }
}
