package dev.ferry.qemu;

import dev.ferry.common.process.ProcessOutcome;
import dev.ferry.common.process.ProcessRunner;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One QEMU system emulator binary and what it reports about itself: version, machine types and CPU
 * models. Immutable once probed; safe to share between threads.
 */
public final class QemuBinary {
  public static final Path DEFAULT_PATH = Path.of("/usr/bin/qemu-system-x86_64");
  private static final Pattern VERSION = Pattern.compile("version (\\d+\\.\\d+\\.\\d+)");
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);
  private static final Pattern ALIAS = Pattern.compile("\\(alias of ([\\w.-]+)\\)");

  private final Path path;
  private final String version;
  private final Map<String, String> machineAliases;
  private final List<String> machines;
  private final List<String> cpuModels;

  private QemuBinary(
      Path path,
      String version,
      List<String> machines,
      Map<String, String> machineAliases,
      List<String> cpuModels) {
    this.path = path;
    this.version = version;
    this.machines = List.copyOf(machines);
    this.machineAliases = Map.copyOf(machineAliases);
    this.cpuModels = List.copyOf(cpuModels);
  }

  /**
   * Asks the binary for its version, machine types and CPU models.
   *
   * @throws QemuException when the binary is missing or does not answer
   */
  public static QemuBinary probe(Path path) {
    if (!Files.isExecutable(path)) {
      throw new QemuException(
          "QEMU binary "
              + path
              + " is missing or not executable (install the Debian package qemu-system-x86)");
    }
    String versionText = run(path, "--version");
    Matcher v = VERSION.matcher(versionText);
    if (!v.find()) {
      throw new QemuException("cannot read the version of " + path + " from: " + versionText);
    }
    List<String> machines = new ArrayList<>();
    Map<String, String> aliases = new LinkedHashMap<>();
    for (String line : run(path, "-machine", "help").lines().skip(1).toList()) {
      String[] parts = line.strip().split("\\s+", 2);
      if (parts[0].isEmpty()) {
        continue;
      }
      machines.add(parts[0]);
      Matcher alias = ALIAS.matcher(line);
      if (alias.find()) {
        aliases.put(parts[0], alias.group(1));
      }
    }
    return new QemuBinary(
        path, v.group(1), machines, aliases, cpuModels(run(path, "-cpu", "help")));
  }

  /**
   * The CPU models of a {@code -cpu help} listing. QEMU 7.2 prefixes each with the architecture
   * ({@code x86 qemu64 (alias ...)}), later versions indent it instead ({@code qemu64 (alias
   * configured by machine type)}); the CPUID flags that follow the models are not models.
   */
  static List<String> cpuModels(String help) {
    List<String> cpus = new ArrayList<>();
    for (String line : help.lines().toList()) {
      String t = line.strip();
      if (t.startsWith("Recognized CPUID flags")) {
        break;
      }
      if (t.isEmpty() || t.endsWith(":")) {
        continue;
      }
      String[] parts = t.split("\\s+");
      String model = parts[0].equals("x86") && parts.length >= 2 ? parts[1] : parts[0];
      cpus.add(model);
    }
    return cpus;
  }

  private static String run(Path path, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(path.toString());
    cmd.addAll(List.of(args));
    ProcessOutcome r;
    try {
      r = ProcessRunner.run(PROBE_TIMEOUT, cmd);
    } catch (UncheckedIOException e) {
      throw new QemuException("cannot run " + path + ": " + e.getMessage(), e);
    } catch (CancellationException e) {
      throw new QemuException("interrupted while asking " + path + " for " + args[0], e);
    }
    if (!r.ok()) {
      throw new QemuException(r.describe());
    }
    return r.stdout();
  }

  public Path path() {
    return path;
  }

  /** e.g. {@code 7.2.22} */
  public String version() {
    return version;
  }

  /** The major version number, e.g. 7 for 7.2.22. */
  public int majorVersion() {
    return Integer.parseInt(version.substring(0, version.indexOf('.')));
  }

  public List<String> machines() {
    return machines;
  }

  public List<String> cpuModels() {
    return cpuModels;
  }

  /**
   * The versioned machine type behind a name: {@code pc} becomes {@code pc-i440fx-7.2}. A migration
   * needs the same versioned type on both ends, so Ferry only stores resolved names.
   */
  public Optional<String> resolveMachine(String name) {
    if (machineAliases.containsKey(name)) {
      return Optional.of(machineAliases.get(name));
    }
    return machines.contains(name) ? Optional.of(name) : Optional.empty();
  }

  public boolean supportsCpuModel(String model) {
    return cpuModels.contains(model) || model.equals("host") || model.equals("max");
  }
}
