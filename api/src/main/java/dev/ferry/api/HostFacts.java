package dev.ferry.api;

import dev.ferry.common.ByteSize;
import dev.ferry.qemu.AcceleratorDecision;
import java.nio.file.Path;
import java.util.List;

/**
 * What a host is and can do, as a destination or source of migrations.
 *
 * @param hostname the agent's host name (its testbed name, or the kernel's)
 * @param agentVersion Ferry version of the agent
 * @param kernel host kernel release
 * @param cpu processor facts
 * @param memory memory facts
 * @param accelerator accelerator in use and why
 * @param qemu the QEMU the agent runs VMs with
 * @param storageRoots directories where VM images may live
 * @param bridges bridges VM NICs can join
 */
public record HostFacts(
    String hostname,
    String agentVersion,
    String kernel,
    Cpu cpu,
    Memory memory,
    AcceleratorDecision accelerator,
    Qemu qemu,
    List<Path> storageRoots,
    List<String> bridges) {

  /** Processor: model name, vendor, flags and logical cores. */
  public record Cpu(String model, String vendor, int cores, List<String> flags) {}

  /** Physical memory, what is free, and what running VMs have been given. */
  public record Memory(ByteSize total, ByteSize available, ByteSize committedToVms) {}

  /**
   * QEMU: version, default machine type, and migration capabilities it supports.
   *
   * @param defaultMachine the versioned type behind {@code pc}
   * @param migrationCapabilities names from {@code query-migrate-capabilities}
   */
  public record Qemu(
      String version, Path binary, String defaultMachine, List<String> migrationCapabilities) {}
}
