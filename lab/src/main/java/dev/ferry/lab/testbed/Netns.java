package dev.ferry.lab.testbed;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** The few {@code ip netns} operations the testbed needs, as {@link Cmd} runs. */
final class Netns {
  private static final Duration LINK_POLL = Duration.ofMillis(50);

  private Netns() {}

  /** Names of all named network namespaces; fails if {@code ip netns} itself does not work. */
  static List<String> list() {
    ExecResult r = Cmd.check("list network namespaces", List.of("ip", "netns", "list"));
    // Lines read "name" or "name (id: 3)".
    return r.stdout()
        .lines()
        .map(String::strip)
        .filter(l -> !l.isEmpty())
        .map(l -> l.split("\\s+", 2)[0])
        .toList();
  }

  static void add(String namespace) {
    Cmd.check("create namespace " + namespace, List.of("ip", "netns", "add", namespace));
  }

  /** Deletes {@code namespace}; returns false if it did not exist. */
  static boolean delete(String namespace) {
    ExecResult r = Cmd.run(Cmd.DEFAULT_TIMEOUT, List.of("ip", "netns", "delete", namespace));
    if (r.ok()) {
      return true;
    }
    if (!list().contains(namespace)) {
      return false;
    }
    throw new CommandFailedException("delete namespace " + namespace, r);
  }

  /** Pids of the processes in {@code namespace}; empty if the namespace does not exist. */
  static List<Long> pids(String namespace) {
    ExecResult r = Cmd.run(Cmd.DEFAULT_TIMEOUT, List.of("ip", "netns", "pids", namespace));
    if (!r.ok()) {
      if (!list().contains(namespace)) {
        return List.of();
      }
      throw new CommandFailedException("list processes in " + namespace, r);
    }
    return r.stdout()
        .lines()
        .map(String::strip)
        .filter(l -> !l.isEmpty())
        .map(Long::parseLong)
        .toList();
  }

  /**
   * Waits until every link in {@code namespaces} has carrier and every bridge port forwards.
   *
   * <p>The kernel applies a link's carrier (and swaps in its real queueing discipline) in its
   * linkwatch worker, up to a second after {@code ip link set up}; until then the link drops what
   * is sent. There is no event for this short of a netlink monitor, so poll the state briefly.
   */
  static void awaitLinksUp(String step, List<String> namespaces, Duration timeout) {
    Map<String, Predicate<String>> all = new LinkedHashMap<>();
    namespaces.forEach(ns -> all.put(ns, link -> !link.equals("lo")));
    awaitLinksUp(step, all, timeout);
  }

  /** Like {@link #awaitLinksUp(String, List, Duration)} for the links each predicate accepts. */
  static void awaitLinksUp(
      String step, Map<String, Predicate<String>> linksByNamespace, Duration timeout) {
    RetryPolicy<List<String>> retry =
        RetryPolicy.<List<String>>builder()
            .handleResultIf(notReady -> !notReady.isEmpty())
            .withDelay(LINK_POLL)
            .withMaxDuration(timeout)
            .withMaxRetries(-1)
            .build();
    List<String> notReady;
    try {
      notReady = Failsafe.with(retry).get(() -> linksNotUp(step, linksByNamespace));
    } catch (FailsafeException e) {
      if (e.getCause() instanceof InterruptedException) {
        Thread.currentThread().interrupt();
        throw new TestbedException(step, "interrupted", e);
      }
      throw e;
    }
    if (!notReady.isEmpty()) {
      throw new TestbedException(
          step, "links still down after " + timeout.toMillis() + " ms: " + notReady);
    }
  }

  /** The links (and bridge ports) the predicates accept that have no carrier or do not forward. */
  private static List<String> linksNotUp(
      String step, Map<String, Predicate<String>> linksByNamespace) {
    List<String> notReady = new ArrayList<>();
    for (var entry : linksByNamespace.entrySet()) {
      String ns = entry.getKey();
      for (String line : Cmd.check(step, ip(ns, "-o", "link", "show")).stdout().lines().toList()) {
        String link = linkName(line);
        boolean up = line.contains(",LOWER_UP") && line.contains(" state UP ");
        if (entry.getValue().test(link) && !up) {
          notReady.add(link + "@" + ns);
        }
      }
      for (String line :
          Cmd.check(step, List.of("bridge", "-n", ns, "link", "show")).stdout().lines().toList()) {
        String port = linkName(line);
        if (entry.getValue().test(port) && !line.contains(" state forwarding ")) {
          notReady.add(port + "@" + ns + " (bridge port)");
        }
      }
    }
    return notReady;
  }

  /** The name in a line of {@code ip -o link show} or {@code bridge link show}. */
  private static String linkName(String line) {
    return line.split(":\\s+", 3)[1].split("@", 2)[0];
  }

  /** {@code ip -n <namespace> <args...>}. */
  static List<String> ip(String namespace, String... args) {
    return Stream.concat(Stream.of("ip", "-n", namespace), Arrays.stream(args)).toList();
  }

  /** {@code tc -n <namespace> <args...>}. */
  static List<String> tc(String namespace, String... args) {
    return Stream.concat(Stream.of("tc", "-n", namespace), Arrays.stream(args)).toList();
  }

  /** {@code ip netns exec <namespace> <command...>}. */
  static List<String> exec(String namespace, List<String> command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    full.addAll(command);
    return List.copyOf(full);
  }
}
