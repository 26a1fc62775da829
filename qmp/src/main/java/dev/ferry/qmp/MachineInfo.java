package dev.ferry.qmp;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;
import java.util.Optional;

/**
 * One machine type from {@code query-machines}.
 *
 * @param name e.g. {@code pc-i440fx-7.2}
 * @param alias e.g. {@code pc} for the newest i440fx machine
 * @param defaultMachine whether this is the machine used without {@code -machine} (QEMU only marks
 *     that one)
 */
public record MachineInfo(
    String name,
    Optional<String> alias,
    boolean defaultMachine,
    int cpuMax,
    boolean hotpluggableCpus,
    boolean numaMemSupported,
    boolean deprecated,
    Optional<String> defaultCpuType,
    Optional<String> defaultRamId) {

  public MachineInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(alias, "alias");
    Objects.requireNonNull(defaultCpuType, "defaultCpuType");
    Objects.requireNonNull(defaultRamId, "defaultRamId");
  }

  @JsonCreator
  static MachineInfo fromWire(
      @JsonProperty(value = "name", required = true) String name,
      @JsonProperty("alias") Optional<String> alias,
      @JsonProperty("is-default") Optional<Boolean> isDefault,
      @JsonProperty(value = "cpu-max", required = true) int cpuMax,
      @JsonProperty(value = "hotpluggable-cpus", required = true) boolean hotpluggableCpus,
      @JsonProperty(value = "numa-mem-supported", required = true) boolean numaMemSupported,
      @JsonProperty(value = "deprecated", required = true) boolean deprecated,
      @JsonProperty("default-cpu-type") Optional<String> defaultCpuType,
      @JsonProperty("default-ram-id") Optional<String> defaultRamId) {
    return new MachineInfo(
        name,
        alias,
        isDefault.orElse(false),
        cpuMax,
        hotpluggableCpus,
        numaMemSupported,
        deprecated,
        defaultCpuType,
        defaultRamId);
  }
}
