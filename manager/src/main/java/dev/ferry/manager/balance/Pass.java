package dev.ferry.manager.balance;

import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * The state of one balancing pass shared by its phases: the working model, which VMs may still
 * move, the move budget, the host pairs recently travelled (for the ping-pong guard), and the moves
 * and notes produced so far.
 */
final class Pass {

  private final ClusterModel model;
  private final BalancerSettings settings;
  private final BitSet recentlyMoved = new BitSet();
  private final BitSet movedNow = new BitSet();
  private final Set<Long> travelled = new HashSet<>();
  private final double[] seconds;
  private final List<Recommendation> moves = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  Pass(ClusterModel model, ClusterSnapshot snapshot, BalancerSettings settings, Instant now) {
    this.model = model;
    this.settings = settings;
    Instant since = now.minus(settings.noRepeatWindow());
    for (RecentMove m : snapshot.recent()) {
      if (!m.at().isAfter(since)) {
        continue; // older than the window
      }
      int v = model.vmIndex(m.vm());
      if (v >= 0) {
        recentlyMoved.set(v);
      }
      int from = model.hostIndex(m.from());
      int to = model.hostIndex(m.to());
      if (from >= 0 && to >= 0) {
        travelled.add(pair(from, to));
      }
    }
    seconds = new double[model.vmCount()];
    for (int v = 0; v < seconds.length; v++) {
      VmLoad vm = model.vm(v);
      seconds[v] =
          MigrationCost.seconds(
              vm.memoryBytes(), vm.dirtyBytesPerSecond(), settings.linkBytesPerSecond());
    }
  }

  private static long pair(int from, int to) {
    return ((long) from << 32) | (to & 0xffffffffL);
  }

  ClusterModel model() {
    return model;
  }

  BalancerSettings settings() {
    return settings;
  }

  /** How many VMs the no-repeat window holds back. */
  int heldBack() {
    return recentlyMoved.cardinality();
  }

  /** Moves left in this pass. */
  int budget() {
    return settings.maxMovesPerPass() - moves.size();
  }

  /** True when this VM may be moved now: see {@link #blocker}. */
  boolean canMove(int vm) {
    return model.vm(vm).movable()
        && !recentlyMoved.get(vm)
        && !movedNow.get(vm)
        && model.schedulable(model.hostOf(vm));
  }

  /** Why this VM may not move now, or null when it may. */
  String blocker(int vm) {
    String name = model.vm(vm).name();
    if (!model.vm(vm).movable()) {
      return name + " is stopped or already migrating";
    }
    if (recentlyMoved.get(vm)) {
      return name + " moved within the last " + Format.duration(settings.noRepeatWindow());
    }
    if (movedNow.get(vm)) {
      return name + " already moves in this pass";
    }
    if (!model.schedulable(model.hostOf(vm))) {
      return name
          + " is on "
          + model.hostName(model.hostOf(vm))
          + ", which is not schedulable: evacuation moves it";
    }
    return null;
  }

  /** The first blocker among these VMs, or null when all may move. */
  String blocker(int[] vms) {
    for (int v : vms) {
      String b = blocker(v);
      if (b != null) {
        return b;
      }
    }
    return null;
  }

  /** True when some VM went from {@code to} to {@code from} lately: moving back is ping-pong. */
  boolean reverses(int from, int to) {
    return travelled.contains(pair(to, from));
  }

  /** Estimated migration seconds of one VM at the assumed link rate. */
  double seconds(int vm) {
    return seconds[vm];
  }

  /** Estimated migration seconds of several VMs, one after the other. */
  double seconds(int[] vms) {
    double total = 0;
    for (int v : vms) {
      total += seconds[v];
    }
    return total;
  }

  /**
   * Moves these VMs to {@code to} in the model and records a recommendation for each, worded by
   * {@code reason}.
   */
  void apply(int[] vms, int to, double benefit, double cost, IntFunction<String> reason) {
    String[] texts = new String[vms.length];
    for (int i = 0; i < vms.length; i++) {
      texts[i] = reason.apply(vms[i]); // worded before anything moves
    }
    for (int i = 0; i < vms.length; i++) {
      int v = vms[i];
      int from = model.hostOf(v);
      String text = texts[i];
      model.move(v, to);
      movedNow.set(v);
      travelled.add(pair(from, to));
      moves.add(
          new Recommendation(
              model.vm(v).name(), model.hostName(from), model.hostName(to), benefit, cost, text));
    }
  }

  void note(String note) {
    notes.add(note);
  }

  List<Recommendation> moves() {
    return moves;
  }

  List<String> notes() {
    return notes;
  }

  /** "web-1 (2 GiB, dirtying 10 MiB/s, ~2.1 s)". */
  String describeVm(int v) {
    VmLoad vm = model.vm(v);
    return vm.name()
        + " ("
        + Format.bytes(vm.memoryBytes())
        + ", dirtying "
        + Format.rate(vm.dirtyBytesPerSecond())
        + ", "
        + Format.seconds(seconds[v])
        + ")";
  }

  /** The VMs of the subject's unit as described by {@link #describeVm}, or the group summary. */
  String describeUnit(int[] unit, int current) {
    if (unit.length == 1) {
      return describeVm(unit[0]);
    }
    long memory = 0;
    for (int v : unit) {
      memory += model.vm(v).memoryBytes();
    }
    return model.vm(current).name()
        + " with its "
        + model.rules().label(unit)
        + " ("
        + Format.bytes(memory)
        + " in all, "
        + Format.seconds(seconds(unit))
        + ")";
  }
}
