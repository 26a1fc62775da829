package dev.ferry.agent.host;

import dev.ferry.common.ByteSize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Reads processor, memory and kernel facts from {@code /proc}. */
public final class HostFactsProbe {
  private HostFactsProbe() {}

  /** CPU model name, vendor, logical cores and flags of the first processor. */
  public record CpuInfo(String model, String vendor, int cores, List<String> flags) {}

  public static CpuInfo cpu() {
    List<String> lines = read(Path.of("/proc/cpuinfo"));
    String model = field(lines, "model name").orElse("unknown");
    String vendor = field(lines, "vendor_id").orElse("unknown");
    List<String> flags =
        field(lines, "flags")
            .map(f -> Arrays.stream(f.split("\\s+")).sorted().toList())
            .orElse(List.of());
    int cores = (int) lines.stream().filter(l -> l.startsWith("processor")).count();
    return new CpuInfo(
        model, vendor, Math.max(cores, Runtime.getRuntime().availableProcessors()), flags);
  }

  public static ByteSize memoryTotal() {
    return meminfo("MemTotal");
  }

  public static ByteSize memoryAvailable() {
    return meminfo("MemAvailable");
  }

  public static String kernelRelease() {
    return read(Path.of("/proc/sys/kernel/osrelease")).stream().findFirst().orElse("unknown");
  }

  private static ByteSize meminfo(String key) {
    return field(read(Path.of("/proc/meminfo")), key)
        .map(v -> ByteSize.ofKiB(Long.parseLong(v.replace("kB", "").strip())))
        .orElse(ByteSize.ZERO);
  }

  private static Optional<String> field(List<String> lines, String key) {
    return lines.stream()
        .filter(l -> l.startsWith(key) && l.indexOf(':') > 0)
        .filter(l -> l.substring(0, l.indexOf(':')).strip().equals(key))
        .map(l -> l.substring(l.indexOf(':') + 1).strip())
        .findFirst();
  }

  private static List<String> read(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      return List.of();
    }
  }
}
