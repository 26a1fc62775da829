package dev.ferry.manager.balance;

import java.util.function.IntPredicate;

/**
 * Picks the destination for one subject by looking at every host: among those that can take it, the
 * one inside the most of its preferred host groups, then with the lowest load once it arrives (best
 * fit by load, so load spreads), then by name. Hosts that cannot take it are recorded with the
 * reason. O(hosts) per call: used for rule fixes, evacuation and placement, where calls are few;
 * the balancing loop uses the load-sorted index instead.
 */
final class HostChooser {

  /** The chosen host (-1 when none) and why the others were turned down. */
  record Choice(int host, Rejections rejected) {
    boolean found() {
      return host >= 0;
    }
  }

  private HostChooser() {}

  /**
   * @param only hosts outside it are rejected as {@code outside}; null to consider every host
   * @param outside the reason for hosts {@code only} rejects
   */
  static Choice choose(ClusterModel model, Subject s, IntPredicate only, Why outside) {
    Rejections rejected = new Rejections();
    int best = -1;
    int bestMisses = Integer.MAX_VALUE;
    double bestLoad = Double.POSITIVE_INFINITY;
    for (int d = 0; d < model.hostCount(); d++) {
      if (d == s.from()) {
        continue;
      }
      Why why = model.check(s, d);
      if (why == null && only != null && !only.test(d)) {
        why = outside;
      }
      if (why != null) {
        rejected.add(model.hostName(d), why, model.describe(why, s, d), model.freeMemory(d));
        continue;
      }
      int misses = model.preferredMisses(s, d);
      double after = model.loadWith(d, s.cpu(), s.memory());
      if (misses < bestMisses
          || (misses == bestMisses
              && (after < bestLoad
                  || (after == bestLoad
                      && model.hostName(d).compareTo(model.hostName(best)) < 0)))) {
        best = d;
        bestMisses = misses;
        bestLoad = after;
      }
    }
    return new Choice(best, rejected);
  }

  /** "host-c (load 41%→44%, 120 GiB free after)". */
  static String describeDestination(ClusterModel model, Subject s, int d) {
    return model.hostName(d)
        + " (load "
        + Format.percent(model.load(d))
        + "→"
        + Format.percent(model.loadWith(d, s.cpu(), s.memory()))
        + ", "
        + Format.bytes(Math.max(0, model.freeMemory(d) - s.memory()))
        + " free after)";
  }
}
