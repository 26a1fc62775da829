package dev.ferry.manager.hosts;

import dev.ferry.api.HostLoadSample;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The CPU (in cores) each VM and each host used, from successive load samples: a VM's rate is its
 * QEMU's CPU seconds over the wall time between two samples of its host. A rate is measured over at
 * least {@link #MIN_WINDOW}: a sample taken right after another (a heartbeat an event brought)
 * keeps the older one as the baseline and reports the rates last measured, instead of dividing by a
 * window of a millisecond. Thread-safe.
 */
final class CpuRates {
  static final Duration MIN_WINDOW = Duration.ofMillis(500);

  private final Map<String, HostLoadSample> baseline = new ConcurrentHashMap<>();
  private final Map<String, Double> byVm = new ConcurrentHashMap<>();

  /** Takes {@code sample} of {@code host}; returns the host's CPU in cores. */
  synchronized double update(String host, HostLoadSample sample) {
    HostLoadSample previous = baseline.get(host);
    if (previous == null || sample.at().isBefore(previous.at())) {
      baseline.put(host, sample);
      return last(sample);
    }
    Duration window = Duration.between(previous.at(), sample.at());
    if (window.compareTo(MIN_WINDOW) < 0) {
      return last(sample);
    }
    baseline.put(host, sample);
    Map<String, Double> before =
        previous.vms().stream()
            .collect(Collectors.toMap(HostLoadSample.Vm::name, HostLoadSample.Vm::cpuSeconds));
    double seconds = window.toMillis() / 1000.0;
    double cpu = 0;
    for (HostLoadSample.Vm v : sample.vms()) {
      Double b = before.get(v.name());
      if (b != null && v.cpuSeconds() >= b) {
        double rate = (v.cpuSeconds() - b) / seconds;
        byVm.put(v.name(), rate);
        cpu += rate;
      }
    }
    return cpu;
  }

  /** The CPU a VM used over its host's last measured window; 0 before one was measured. */
  double vm(String name) {
    return byVm.getOrDefault(name, 0.0);
  }

  private double last(HostLoadSample sample) {
    return sample.vms().stream().mapToDouble(v -> vm(v.name())).sum();
  }
}
