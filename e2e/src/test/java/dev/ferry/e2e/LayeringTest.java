package dev.ferry.e2e;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Modules depend only downwards: bench → cli → testbed/manager/agent → api → migration → qemu →
 * qmp. The manager and the agents know each other only through the api module.
 */
class LayeringTest {
  private static final JavaClasses FERRY =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.ferry");

  @Test
  void modulesDependOnlyDownwards() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("bench")
        .definedBy("dev.ferry.bench..")
        .layer("cli")
        .definedBy("dev.ferry.cli..")
        .layer("agent")
        .definedBy("dev.ferry.agent..")
        .layer("manager")
        .definedBy("dev.ferry.manager..")
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
        .layer("migration")
        .definedBy("dev.ferry.migration..")
        .whereLayer("bench")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("cli")
        .mayOnlyBeAccessedByLayers("bench")
        .whereLayer("agent")
        .mayOnlyBeAccessedByLayers("cli")
        .whereLayer("manager")
        .mayOnlyBeAccessedByLayers("cli")
        .whereLayer("testbed")
        .mayOnlyBeAccessedByLayers("cli", "bench")
        .whereLayer("api")
        .mayOnlyBeAccessedByLayers("cli", "bench", "agent", "manager", "testbed")
        .whereLayer("migration")
        .mayOnlyBeAccessedByLayers("cli", "bench", "agent", "manager", "api")
        .whereLayer("qemu")
        .mayOnlyBeAccessedByLayers("cli", "bench", "agent", "manager", "api", "migration")
        .whereLayer("qmp")
        .mayOnlyBeAccessedByLayers("bench", "agent", "qemu", "migration")
        .check(FERRY);
  }
}
