package dev.ferry.manager.balance;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Collects why each host turned a VM down and sums it up in one line an operator can act on.
 *
 * <p>A handful of hosts are listed one by one ("host-a: not schedulable (down or in maintenance);
 * host-b: 512 MiB free, needs 1 GiB"). More are grouped by reason, with a count and the closest
 * examples ("940 hosts short of free memory, e.g. host-q: 3 GiB free, needs 4 GiB; ...").
 */
final class Rejections {

  /** Up to this many rejections are listed host by host. */
  private static final int LIST_ALL = 6;

  /** Examples shown per group. */
  private static final int EXAMPLES = 2;

  private record Entry(String host, Why why, String detail, long free) {}

  private final List<Entry> entries = new ArrayList<>();

  /** Records that {@code host} cannot take it; {@code free} orders memory rejections. */
  void add(String host, Why why, String detail, long free) {
    entries.add(new Entry(host, why, detail, free));
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  /** The summary, or "no other host in the cluster" when nothing was rejected. */
  String render() {
    if (entries.isEmpty()) {
      return "no other host in the cluster";
    }
    if (entries.size() <= LIST_ALL) {
      List<String> parts = new ArrayList<>();
      for (Entry e : entries) {
        parts.add(e.host() + ": " + e.detail());
      }
      return String.join("; ", parts);
    }
    Map<Why, List<Entry>> byWhy = new EnumMap<>(Why.class);
    for (Entry e : entries) {
      byWhy.computeIfAbsent(e.why(), w -> new ArrayList<>()).add(e);
    }
    List<String> parts = new ArrayList<>();
    for (Map.Entry<Why, List<Entry>> group : byWhy.entrySet()) {
      List<Entry> list = group.getValue();
      if (group.getKey() == Why.MEMORY) {
        list.sort(Comparator.comparingLong(Entry::free).reversed());
      }
      if (list.size() == 1) {
        parts.add(list.get(0).host() + ": " + list.get(0).detail());
        continue;
      }
      List<String> examples = new ArrayList<>();
      for (int i = 0; i < Math.min(EXAMPLES, list.size()); i++) {
        examples.add(list.get(i).host() + ": " + list.get(i).detail());
      }
      parts.add(
          list.size()
              + " hosts "
              + group.getKey().phrase()
              + " (e.g. "
              + String.join("; ", examples)
              + ")");
    }
    return String.join("; ", parts);
  }
}
