package dev.ferry.bench.report;

import dev.ferry.common.ByteSize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The machine a benchmark ran on, so figures are never quoted without it.
 *
 * @param cpu the CPU model ({@code /proc/cpuinfo})
 * @param cores CPUs available to the benchmark
 * @param memory total RAM ({@code /proc/meminfo})
 * @param kernel the running kernel's release
 * @param os the distribution ({@code /etc/os-release})
 * @param qemu QEMU's version
 * @param libvirt libvirt's version, if installed
 * @param accelerator the accelerator guests ran under
 * @param java the JVM's version
 * @param loadAverage the 1/5/15-minute load averages when the benchmark started (other work on the
 *     machine shows here)
 * @param date when the benchmark started
 */
public record Machine(
    String cpu,
    int cores,
    ByteSize memory,
    String kernel,
    String os,
    String qemu,
    Optional<String> libvirt,
    String accelerator,
    String java,
    String loadAverage,
    Instant date) {

  private static final Pattern MEM_TOTAL = Pattern.compile("(?m)^MemTotal:\\s+(\\d+) kB");
  private static final Pattern MODEL_NAME = Pattern.compile("(?m)^model name\\s*:\\s*(.+)$");
  private static final Pattern PRETTY_NAME = Pattern.compile("(?m)^PRETTY_NAME=\"?([^\"\\n]+)");
  private static final String UNKNOWN = "unknown";

  /** Reads the facts of this machine from {@code /proc} and {@code /etc/os-release}. */
  public static Machine probe(
      String qemuVersion, Optional<String> libvirtVersion, String accelerator, Instant date) {
    String meminfo = read(Path.of("/proc/meminfo"));
    Matcher mem = MEM_TOTAL.matcher(meminfo);
    return new Machine(
        first(MODEL_NAME, read(Path.of("/proc/cpuinfo"))),
        Runtime.getRuntime().availableProcessors(),
        mem.find() ? ByteSize.ofKiB(Long.parseLong(mem.group(1))) : ByteSize.ZERO,
        read(Path.of("/proc/sys/kernel/osrelease")).strip(),
        first(PRETTY_NAME, read(Path.of("/etc/os-release"))),
        qemuVersion,
        libvirtVersion,
        accelerator,
        Runtime.version().toString(),
        loadAverage(read(Path.of("/proc/loadavg"))),
        date);
  }

  /** The facts as label/value pairs, in report order. */
  public Map<String, String> facts() {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("CPU", cpu);
    f.put("Cores", Integer.toString(cores));
    f.put("Memory", memory.toHuman());
    f.put("Kernel", kernel);
    f.put("OS", os);
    f.put("QEMU", qemu);
    f.put("libvirt", libvirt.orElse("not installed"));
    f.put("Accelerator", accelerator);
    f.put("Java", java);
    f.put("Load at start", loadAverage);
    f.put("Date", date.truncatedTo(ChronoUnit.SECONDS).toString());
    return f;
  }

  /** One line: {@code Intel Xeon ..., 2 cores, 23.5 GiB, kernel 6.1, QEMU 7.2.22, ...}. */
  public String oneLine() {
    return String.join(
        ", ",
        List.of(
            cpu,
            cores + " cores",
            memory.toHuman(),
            "kernel " + kernel,
            os,
            "QEMU " + qemu,
            "libvirt " + libvirt.orElse("not installed"),
            accelerator,
            "Java " + java));
  }

  /** The first three fields of {@code /proc/loadavg}. */
  static String loadAverage(String procLoadavg) {
    String[] f = procLoadavg.strip().split("\\s+");
    return f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] : UNKNOWN;
  }

  private static String first(Pattern p, String text) {
    Matcher m = p.matcher(text);
    return m.find() ? m.group(1).strip() : UNKNOWN;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "";
    }
  }
}
