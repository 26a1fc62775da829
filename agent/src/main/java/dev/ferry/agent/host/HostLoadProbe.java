package dev.ferry.agent.host;

import dev.ferry.api.HostLoadSample;
import dev.ferry.api.VmInfo;
import dev.ferry.common.ByteSize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Samples what the host's VMs consume from {@code /proc}: each QEMU's CPU time and resident memory,
 * and the host's load average. Linux's clock tick and page size are fixed at 100 Hz and 4 KiB on
 * the platforms Ferry runs on.
 */
public final class HostLoadProbe {
  private static final double TICKS_PER_SECOND = 100.0;
  private static final long PAGE_BYTES = 4096;

  private final Clock clock;
  private final Supplier<List<VmInfo>> vms;
  private final int cores;
  private final ByteSize memoryTotal;

  public HostLoadProbe(Clock clock, Supplier<List<VmInfo>> vms, int cores, ByteSize memoryTotal) {
    this.clock = clock;
    this.vms = vms;
    this.cores = cores;
    this.memoryTotal = memoryTotal;
  }

  public HostLoadSample sample() {
    List<HostLoadSample.Vm> out = new ArrayList<>();
    ByteSize committed = ByteSize.ZERO;
    for (VmInfo vm : vms.get()) {
      if (!vm.state().hasProcess() || vm.pid().isEmpty()) {
        continue;
      }
      committed = committed.plus(vm.spec().memory());
      long pid = vm.pid().getAsLong();
      out.add(
          new HostLoadSample.Vm(
              vm.spec().name(),
              cpuSeconds(pid).orElse(0.0),
              resident(pid).orElse(ByteSize.ZERO),
              vm.spec().memory()));
    }
    return new HostLoadSample(
        clock.instant(), cores, loadAverage(), memoryTotal, committed, List.copyOf(out));
  }

  private static Optional<Double> cpuSeconds(long pid) {
    return read(Path.of("/proc", Long.toString(pid), "stat"))
        .map(
            stat -> {
              // Fields after the parenthesised command name; utime and stime are 14 and 15.
              String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
              return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
            });
  }

  private static Optional<ByteSize> resident(long pid) {
    return read(Path.of("/proc", Long.toString(pid), "statm"))
        .map(s -> ByteSize.ofBytes(Long.parseLong(s.strip().split(" ")[1]) * PAGE_BYTES));
  }

  private static double loadAverage() {
    return read(Path.of("/proc/loadavg"))
        .map(s -> Double.parseDouble(s.strip().split(" ")[0]))
        .orElse(0.0);
  }

  private static Optional<String> read(Path p) {
    try {
      return Optional.of(Files.readString(p));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
