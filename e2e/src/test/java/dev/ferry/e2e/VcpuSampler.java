package dev.ferry.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Watches whether each host's QEMU runs its guest, from outside Ferry: every {@code period} it
 * reads the scheduler state of the QEMU vCPU threads ({@code CPU n/TCG}, named so by {@code -name
 * ...,debug-threads=on}) under {@code /proc}. A vCPU thread of a guest that computes is runnable
 * ({@code R}); a paused guest's vCPU threads sleep. With a guest that keeps its vCPU busy, a sample
 * with runnable vCPUs on two hosts is two running copies, and a stretch of samples with none
 * anywhere is an outage. The QEMU processes of each host are listed again every few samples.
 */
final class VcpuSampler implements AutoCloseable {
  /** One sample: which hosts had a runnable vCPU thread. */
  record Sample(Instant at, List<String> running) {}

  private final List<String> hosts;
  private final Function<String, List<Long>> qemuPids;
  private final Duration period;
  private final List<Sample> samples = new CopyOnWriteArrayList<>();
  private final Map<String, List<Long>> pids = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean stop;

  private VcpuSampler(List<String> hosts, Function<String, List<Long>> qemuPids, Duration period) {
    this.hosts = List.copyOf(hosts);
    this.qemuPids = qemuPids;
    this.period = period;
    this.thread = Thread.ofPlatform().daemon().name("vcpu-sampler").unstarted(this::loop);
  }

  static VcpuSampler start(
      List<String> hosts, Function<String, List<Long>> qemuPids, Duration period) {
    VcpuSampler s = new VcpuSampler(hosts, qemuPids, period);
    s.refresh();
    s.thread.start();
    return s;
  }

  private void refresh() {
    for (String h : hosts) {
      try {
        pids.put(h, qemuPids.apply(h));
      } catch (RuntimeException e) {
        // the namespace is being torn down; keep the last list
      }
    }
  }

  private void loop() {
    int n = 0;
    while (!stop) {
      if (++n % 6 == 0) {
        refresh();
      }
      List<String> running = new ArrayList<>();
      for (String h : hosts) {
        if (pids.getOrDefault(h, List.of()).stream().anyMatch(VcpuSampler::vcpuRunnable)) {
          running.add(h);
        }
      }
      samples.add(new Sample(Instant.now(), List.copyOf(running)));
      try {
        Thread.sleep(period);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private static boolean vcpuRunnable(long pid) {
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    try (Stream<Path> ts = Files.list(tasks)) {
      return ts.anyMatch(
          t -> {
            try {
              String comm = Files.readString(t.resolve("comm")).strip();
              if (!comm.startsWith("CPU ")) {
                return false;
              }
              String stat = Files.readString(t.resolve("stat"));
              // pid (comm) S ...: the state follows the closing parenthesis of the name.
              int close = stat.lastIndexOf(')');
              return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'R';
            } catch (IOException e) {
              return false;
            }
          });
    } catch (IOException e) {
      return false;
    }
  }

  /** Samples since {@code from}. */
  List<Sample> since(Instant from) {
    return samples.stream().filter(s -> !s.at().isBefore(from)).toList();
  }

  /**
   * Samples since {@code from} in which more than one host ran the guest, each seen running in the
   * sample before too.
   */
  List<Sample> twoRunning(Instant from) {
    List<Sample> all = since(from);
    List<Sample> two = new ArrayList<>();
    for (int i = 1; i < all.size(); i++) {
      List<String> both = new ArrayList<>(all.get(i).running());
      both.retainAll(all.get(i - 1).running());
      if (both.size() > 1) {
        two.add(all.get(i));
      }
    }
    return two;
  }

  /** The longest stretch since {@code from} in which no host ran the guest. */
  Duration longestNone(Instant from) {
    Duration longest = Duration.ZERO;
    Instant noneSince = null;
    for (Sample s : since(from)) {
      if (s.running().isEmpty()) {
        if (noneSince == null) {
          noneSince = s.at();
        }
        Duration d = Duration.between(noneSince, s.at());
        if (d.compareTo(longest) > 0) {
          longest = d;
        }
      } else {
        noneSince = null;
      }
    }
    return longest;
  }

  @Override
  public void close() {
    stop = true;
    thread.interrupt();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
