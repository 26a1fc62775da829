package dev.ferry.manager.balance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The first phase of a balancing pass: moves that repair broken rules, proposed whatever their
 * benefit, in this order: VMs outside a mandatory host group, anti-affinity members sharing a host,
 * affinity groups split over hosts, then VMs outside a preferred host group (only where a host of
 * that group has room). Each fix goes to the host {@link HostChooser} picks and never breaks
 * another rule; a fix that cannot be made is explained in a note. VMs on unschedulable hosts are
 * left to {@link Evacuation}.
 */
final class RuleFixer {

  private final Pass pass;
  private final ClusterModel model;
  private final RuleIndex rules;
  private int deferred;

  RuleFixer(Pass pass) {
    this.pass = pass;
    this.model = pass.model();
    this.rules = model.rules();
  }

  void run() {
    List<Integer> mandatory = new ArrayList<>();
    List<Integer> anti = new ArrayList<>();
    List<Integer> preferred = new ArrayList<>();
    for (int r = 0; r < rules.ruleCount(); r++) {
      switch (rules.rule(r)) {
        case Rule.VmHostGroup g -> (g.mandatory() ? mandatory : preferred).add(r);
        case Rule.AntiAffinity a -> anti.add(r);
        case Rule.Affinity a -> {}
      }
    }
    Comparator<Integer> byName = Comparator.comparing(r -> rules.rule(r).name());
    mandatory.sort(byName);
    anti.sort(byName);
    preferred.sort(byName);
    mandatory.forEach(r -> fixHostGroup(r, true));
    anti.forEach(this::fixAntiAffinity);
    for (int c = 0; c < rules.componentCount(); c++) {
      fixAffinity(c);
    }
    preferred.forEach(r -> fixHostGroup(r, false));
    if (deferred > 0) {
      pass.note(
          deferred
              + " rule violation(s) left for the next pass: maxMovesPerPass ("
              + pass.settings().maxMovesPerPass()
              + ") reached");
    }
  }

  /** The VM and the members of its affinity group on the same host: what must move together. */
  private int[] unitOn(int vm) {
    int c = rules.component(vm);
    if (c < 0) {
      return new int[] {vm};
    }
    int host = model.hostOf(vm);
    return Arrays.stream(rules.componentMembers(c)).filter(m -> model.hostOf(m) == host).toArray();
  }

  private String name(int vm) {
    return model.vm(vm).name();
  }

  private void fixHostGroup(int r, boolean mandatory) {
    Rule.VmHostGroup group = (Rule.VmHostGroup) rules.rule(r);
    BitSet hosts = rules.groupHosts(r);
    String rule =
        (mandatory ? "mandatory host group rule " : "preferred host group rule ") + group.name();
    for (int v : rules.members(r)) {
      int h = model.hostOf(v);
      if (hosts.get(h)) {
        continue;
      }
      if (!model.schedulable(h)) {
        pass.note(
            name(v)
                + " breaks "
                + rule
                + " but is on "
                + model.hostName(h)
                + ", which is not schedulable: evacuation places it");
        continue;
      }
      int[] unit = unitOn(v);
      String blocker = pass.blocker(unit);
      if (blocker != null) {
        pass.note("cannot fix " + rule + " yet: " + blocker);
        continue;
      }
      if (unit.length > pass.budget()) {
        deferred++;
        continue;
      }
      Subject s = rules.subject(model, unit, h);
      if (s.conflict() != null) {
        pass.note("cannot fix " + rule + " for " + s.label() + ": " + s.conflict());
        continue;
      }
      HostChooser.Choice choice =
          mandatory
              ? HostChooser.choose(model, s, null, null)
              : HostChooser.choose(model, s, hosts::get, Why.PREFERRED_GROUP);
      if (!choice.found()) {
        pass.note(
            "cannot fix "
                + rule
                + ": no host can take "
                + s.label()
                + ": "
                + choice.rejected().render());
        continue;
      }
      int d = choice.host();
      String where = HostChooser.describeDestination(model, s, d);
      String head =
          "fixes "
              + rule
              + ": "
              + name(v)
              + " runs on "
              + model.hostName(h)
              + ", outside the group; moving ";
      pass.apply(
          unit,
          d,
          model.benefit(h, d, s.cpu(), s.memory()),
          MigrationCost.cost(pass.seconds(unit)),
          m -> head + pass.describeUnit(unit, m) + " to " + where);
    }
  }

  private void fixAntiAffinity(int r) {
    String rule = "anti-affinity rule " + rules.rule(r).name();
    Map<Integer, List<Integer>> byHost = new TreeMap<>();
    for (int v : rules.members(r)) {
      byHost.computeIfAbsent(model.hostOf(v), k -> new ArrayList<>()).add(v);
    }
    for (Map.Entry<Integer, List<Integer>> e : byHost.entrySet()) {
      int h = e.getKey();
      List<Integer> sharing = e.getValue();
      if (sharing.size() < 2) {
        continue;
      }
      if (!model.schedulable(h)) {
        pass.note(
            rule
                + " is broken on "
                + model.hostName(h)
                + ", which is not schedulable: evacuation separates them");
        continue;
      }
      // Keep the member hardest to move: one that may not move, else the slowest to migrate.
      sharing.sort(
          Comparator.comparing((Integer v) -> pass.canMove(v))
              .thenComparing(v -> -pass.seconds(v))
              .thenComparing(this::name));
      int kept = sharing.get(0);
      for (int i = 1; i < sharing.size(); i++) {
        int v = sharing.get(i);
        if (model.hostOf(v) != h) {
          continue;
        }
        int[] unit = unitOn(v);
        String blocker = pass.blocker(unit);
        if (blocker != null) {
          pass.note("cannot fix " + rule + " on " + model.hostName(h) + " yet: " + blocker);
          continue;
        }
        if (unit.length > pass.budget()) {
          deferred++;
          continue;
        }
        Subject s = rules.subject(model, unit, h);
        if (s.conflict() != null) {
          pass.note("cannot fix " + rule + " for " + s.label() + ": " + s.conflict());
          continue;
        }
        HostChooser.Choice choice = HostChooser.choose(model, s, null, null);
        if (!choice.found()) {
          pass.note(
              "cannot fix "
                  + rule
                  + ": no host can take "
                  + s.label()
                  + ": "
                  + choice.rejected().render());
          continue;
        }
        int d = choice.host();
        String where = HostChooser.describeDestination(model, s, d);
        String head =
            "fixes "
                + rule
                + ": "
                + name(v)
                + " shares "
                + model.hostName(h)
                + " with "
                + name(kept)
                + "; moving ";
        pass.apply(
            unit,
            d,
            model.benefit(h, d, s.cpu(), s.memory()),
            MigrationCost.cost(pass.seconds(unit)),
            m -> head + pass.describeUnit(unit, m) + " to " + where);
      }
    }
  }

  private void fixAffinity(int c) {
    int[] members = rules.componentMembers(c);
    Map<Integer, Long> memoryOn = new TreeMap<>();
    for (int v : members) {
      memoryOn.merge(model.hostOf(v), model.vm(v).memoryBytes(), Long::sum);
    }
    if (memoryOn.size() < 2) {
      return;
    }
    String rule = "affinity rule " + String.join("+", rules.componentRules(c));
    // Gather where most of the group's memory already is: least to migrate.
    List<Integer> targets = new ArrayList<>(memoryOn.keySet());
    targets.sort(
        Comparator.comparing((Integer h) -> !model.schedulable(h))
            .thenComparing(h -> -memoryOn.get(h))
            .thenComparing(model::hostName));
    List<String> failures = new ArrayList<>();
    for (int t : targets) {
      int[] movers = Arrays.stream(members).filter(v -> model.hostOf(v) != t).toArray();
      String blocker = pass.blocker(movers);
      if (blocker != null) {
        failures.add(model.hostName(t) + ": " + blocker);
        continue;
      }
      if (movers.length > pass.budget()) {
        deferred++;
        return;
      }
      Subject s = rules.subject(model, movers, -1);
      if (s.conflict() != null) {
        failures.add(model.hostName(t) + ": " + s.conflict());
        continue;
      }
      Why why = model.check(s, t);
      if (why != null) {
        failures.add(model.hostName(t) + ": " + model.describe(why, s, t));
        continue;
      }
      List<String> staying = new ArrayList<>();
      for (int v : members) {
        if (model.hostOf(v) == t) {
          staying.add(name(v));
        }
      }
      for (int v : movers) {
        int from = model.hostOf(v);
        Subject one = rules.subject(model, new int[] {v}, from);
        String where = HostChooser.describeDestination(model, one, t);
        String text =
            "fixes "
                + rule
                + ": "
                + name(v)
                + " runs on "
                + model.hostName(from)
                + ", apart from "
                + String.join(", ", staying)
                + " on "
                + model.hostName(t)
                + "; moving "
                + pass.describeVm(v)
                + " to "
                + where;
        pass.apply(
            new int[] {v},
            t,
            model.benefit(from, t, one.cpu(), one.memory()),
            MigrationCost.cost(pass.seconds(v)),
            m -> text);
      }
      return;
    }
    pass.note("cannot fix " + rule + ": " + String.join("; ", failures));
  }
}
