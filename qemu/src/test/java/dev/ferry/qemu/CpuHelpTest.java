package dev.ferry.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code -cpu help} as QEMU 7.2 and QEMU 10 print it. */
class CpuHelpTest {

  /** QEMU 7.2.22 (Debian bookworm), trimmed. */
  static final String QEMU_7_2 =
      """
      Available CPUs:
      x86 486                   (alias configured by machine type)
      x86 486-v1
      x86 Broadwell             (alias configured by machine type)
      x86 qemu64                (alias configured by machine type)
      x86 qemu64-v1             QEMU Virtual CPU version 2.5+
      x86 base                  base CPU model type with no features enabled
      x86 host                  KVM processor with all supported host features
      x86 max                   Enables all features supported by the accelerator in the current host

      Recognized CPUID flags:
        3dnow 3dnowext 3dnowprefetch abm ace2 ace2-en acpi adx aes amd-no-ssb
      """;

  /** QEMU 10.0 (Debian bookworm-backports 10.0.2): no architecture prefix. */
  static final String QEMU_10 =
      """
      Available CPUs:
        486                   (alias configured by machine type)
        486-v1
        Broadwell             (alias configured by machine type)
        qemu64                (alias configured by machine type)
        qemu64-v1             QEMU Virtual CPU version 2.5+
        base                  base CPU model type with no features enabled
        max                   Enables all features supported by the accelerator in the current host

      Recognized CPUID flags:
        3dnow 3dnowext 3dnowprefetch abm ace2 ace2-en acpi adx aes amd-no-ssb
      """;

  @Test
  void bothFormsGiveTheSameModelsAndNoFlags() {
    assertThat(QemuBinary.cpuModels(QEMU_7_2))
        .contains("486", "486-v1", "Broadwell", "qemu64", "qemu64-v1", "max")
        .doesNotContain("x86", "3dnow", "Available", "Recognized");
    assertThat(QemuBinary.cpuModels(QEMU_10))
        .contains("486", "486-v1", "Broadwell", "qemu64", "qemu64-v1", "max")
        .doesNotContain("3dnow", "Available", "Recognized");
  }

  @Test
  void theRealBinaryListsItsDefaultModel() {
    assertThat(QemuBinary.probe(QemuBinary.DEFAULT_PATH).cpuModels()).contains("qemu64");
  }
}
