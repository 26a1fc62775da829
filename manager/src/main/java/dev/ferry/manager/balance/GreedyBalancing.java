package dev.ferry.manager.balance;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableSet;

/**
 * The second phase of a balancing pass: greedy load balancing. Each step takes the move with the
 * highest net benefit (imbalance reduction minus migration cost), applies it to the working model
 * and looks again, until the best move falls below the aggressiveness threshold or the pass is out
 * of moves.
 *
 * <p>A step does not try every VM against every host. Per compatibility class it walks the hosts
 * from the most loaded down (stopping at {@value #SOURCES} hosts that have something movable), and
 * for each movable VM or whole affinity group there it tries the least loaded hosts that can take
 * it (up to {@value #DESTINATIONS}, never one as loaded as the source); a VM confined to a small
 * mandatory host group tries that group's hosts instead. Both walks use the model's load-sorted
 * index, so a step costs O(sources × VMs per host × destinations), independent of cluster size.
 *
 * <p>A balancing move never leaves a preferred host group the VM is in, never goes back along a
 * path (to → from) another VM took in the no-repeat window or in this pass, and never moves a VM
 * twice in a pass. Within a pass no host both gives and takes VMs in balancing moves (rule fixes
 * aside), so there are no relays (a → d, then d → b): each move goes straight from a host that
 * sheds load to one that takes it.
 */
final class GreedyBalancing {

  private static final int SOURCES = 16;
  private static final int DESTINATIONS = 16;
  private static final int SCAN_LIMIT = 256;
  private static final int SMALL_GROUP = 64;

  private record Candidate(
      int[] unit, Subject subject, int from, int to, double benefit, double cost) {
    double net() {
      return benefit - cost;
    }
  }

  private final Pass pass;
  private final ClusterModel model;
  private final RuleIndex rules;
  private final BitSet gave = new BitSet();
  private final BitSet took = new BitSet();

  /** Subjects by first VM: a unit's constraints do not change while it has not moved. */
  private final Map<Integer, Subject> subjects = new HashMap<>();

  GreedyBalancing(Pass pass) {
    this.pass = pass;
    this.model = pass.model();
    this.rules = model.rules();
  }

  void run() {
    double threshold = pass.settings().minimumNetBenefit();
    int made = 0;
    while (true) {
      if (pass.budget() <= 0) {
        pass.note(
            "stopped at maxMovesPerPass ("
                + pass.settings().maxMovesPerPass()
                + "); the next pass continues");
        return;
      }
      Candidate best = best();
      if (best == null) {
        pass.note(
            made == 0
                ? "no VM can go to a less loaded host without breaking a rule, its host's"
                    + " compatibility, the destination's memory headroom or the no-repeat window"
                : "balanced: no further VM can go to a less loaded host");
        return;
      }
      if (best.net() < threshold) {
        pass.note(
            String.format(
                Locale.ROOT,
                "balanced for aggressiveness %d: the best remaining move (%s to %s) gains %.4f"
                    + " net of migration cost, below the %.4f threshold",
                pass.settings().aggressiveness(),
                best.subject().label(),
                model.hostName(best.to()),
                best.net(),
                threshold));
        return;
      }
      apply(best);
      made++;
    }
  }

  private Candidate best() {
    Candidate best = null;
    for (int c = 0; c < model.compatCount(); c++) {
      NavigableSet<Integer> hosts = model.byLoad(c);
      if (hosts.size() < 2) {
        continue;
      }
      double coolest = model.load(hosts.first());
      int productive = 0;
      for (Iterator<Integer> it = hosts.descendingIterator();
          it.hasNext() && productive < SOURCES; ) {
        int s = it.next();
        if (model.load(s) <= coolest) {
          break;
        }
        if (took.get(s)) {
          continue; // no relays: a host that took a VM this pass does not give one away
        }
        boolean any = false;
        for (int[] unit : units(s)) {
          Candidate candidate = bestFor(unit, s, hosts);
          if (candidate != null) {
            any = true;
            if (best == null || candidate.net() > best.net()) {
              best = candidate;
            }
          }
        }
        if (any) {
          productive++;
        }
      }
    }
    return best;
  }

  /** What may move off host {@code s}: single VMs, and affinity groups wholly on it. */
  private List<int[]> units(int s) {
    List<int[]> units = new ArrayList<>();
    BitSet seen = new BitSet();
    for (int v : model.vmsOn(s)) {
      int c = rules.component(v);
      if (c < 0) {
        if (pass.canMove(v)) {
          units.add(new int[] {v});
        }
        continue;
      }
      if (seen.get(c)) {
        continue;
      }
      seen.set(c);
      int[] members = rules.componentMembers(c);
      boolean whole = true;
      for (int m : members) {
        whole &= model.hostOf(m) == s && pass.canMove(m);
      }
      if (whole) {
        units.add(members);
      }
    }
    return units;
  }

  private Candidate bestFor(int[] unit, int s, NavigableSet<Integer> classHosts) {
    if (unit.length > pass.budget()) {
      return null;
    }
    double cost = MigrationCost.cost(pass.seconds(unit));
    if (Double.isInfinite(cost)) {
      return null;
    }
    Subject subject = subjects.computeIfAbsent(unit[0], k -> rules.subject(model, unit, s));
    if (subject.conflict() != null) {
      return null;
    }
    double sourceLoad = model.load(s);
    Candidate best = null;
    int admissible = 0;
    int scanned = 0;
    for (int d : destinations(subject, classHosts)) {
      if (model.load(d) >= sourceLoad || ++scanned > SCAN_LIMIT) {
        break;
      }
      if (gave.get(d)
          || model.check(subject, d) != null
          || pass.reverses(s, d)
          || leavesPreferred(subject, s, d)) {
        continue;
      }
      double benefit = model.benefit(s, d, subject.cpu(), subject.memory());
      if (best == null || benefit - cost > best.net()) {
        best = new Candidate(unit, subject, s, d, benefit, cost);
      }
      if (++admissible >= DESTINATIONS) {
        break;
      }
    }
    return best;
  }

  /** Hosts to try, ascending load: a small mandatory group's own hosts, else the whole class. */
  private Iterable<Integer> destinations(Subject subject, NavigableSet<Integer> classHosts) {
    if (subject.allowed() == null || subject.allowed().cardinality() > SMALL_GROUP) {
      return classHosts;
    }
    List<Integer> hosts = new ArrayList<>();
    subject.allowed().stream()
        .filter(h -> model.schedulable(h) && model.compatClass(h) == subject.compatClass())
        .forEach(hosts::add);
    hosts.sort(
        (a, b) -> {
          int byLoad = Double.compare(model.load(a), model.load(b));
          return byLoad != 0 ? byLoad : Integer.compare(a, b);
        });
    return hosts;
  }

  private boolean leavesPreferred(Subject subject, int s, int d) {
    for (int r : subject.preferredRules()) {
      BitSet group = rules.groupHosts(r);
      if (group.get(s) && !group.get(d)) {
        return true;
      }
    }
    return false;
  }

  private void apply(Candidate c) {
    int s = c.from();
    int d = c.to();
    Subject subject = c.subject();
    double before = model.imbalance();
    double after = model.imbalanceAfter(c.benefit());
    boolean memoryBound = model.memoryShare(s) >= model.cpuShare(s);
    String head =
        model.hostName(s)
            + " at "
            + Format.percent(memoryBound ? model.memoryShare(s) : model.cpuShare(s))
            + (memoryBound ? " memory" : " CPU")
            + " vs cluster mean load "
            + Format.percent(model.meanLoad())
            + "; moving ";
    String where =
        " to "
            + model.hostName(d)
            + " (load "
            + Format.percent(model.load(d))
            + "→"
            + Format.percent(model.loadWith(d, subject.cpu(), subject.memory()))
            + ") lowers imbalance "
            + Format.change(before, after);
    pass.apply(
        c.unit(), d, c.benefit(), c.cost(), v -> head + pass.describeUnit(c.unit(), v) + where);
    gave.set(s);
    took.set(d);
  }
}
