package dev.ferry.e2e;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Modules depend only downwards: cli → testbed/agent → api → qemu → qmp → common. */
class LayeringTest {
  private static final JavaClasses FERRY =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.ferry");

  @Test
  void modulesDependOnlyDownwards() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("cli")
        .definedBy("dev.ferry.cli..")
        .layer("agent")
        .definedBy("dev.ferry.agent..")
        .layer("testbed")
        .definedBy("dev.ferry.testbed..")
        .layer("api")
        .definedBy("dev.ferry.api..")
        .layer("qemu")
        .definedBy("dev.ferry.qemu..")
        .layer("qmp")
        .definedBy("dev.ferry.qmp..")
        .layer("common")
        .definedBy("dev.ferry.common..")
        .whereLayer("cli")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("agent")
        .mayOnlyBeAccessedByLayers("cli")
        .whereLayer("testbed")
        .mayOnlyBeAccessedByLayers("cli")
        .whereLayer("api")
        .mayOnlyBeAccessedByLayers("cli", "agent", "testbed")
        .whereLayer("qemu")
        .mayOnlyBeAccessedByLayers("cli", "agent", "api")
        .whereLayer("qmp")
        .mayOnlyBeAccessedByLayers("agent", "qemu")
        .check(FERRY);
  }
}
