package dev.ferry.e2e;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Modules depend only downwards: cli → manager/agent → api → migration → qemu → qmp. The manager
 * and the agents know each other only through the api module. The lab (testbed, demo) and the bench
 * sit beside the product: bench → lab → api; nothing in the product uses the lab, and neither the
 * lab nor the bench uses the cli (the lab runs the product's {@code ferry} command as a process).
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
        .layer("lab")
        .definedBy("dev.ferry.lab..")
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
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("agent")
        .mayOnlyBeAccessedByLayers("cli")
        .whereLayer("manager")
        .mayOnlyBeAccessedByLayers("cli")
        .whereLayer("lab")
        .mayOnlyBeAccessedByLayers("bench")
        .whereLayer("api")
        .mayOnlyBeAccessedByLayers("cli", "bench", "agent", "manager", "lab")
        .whereLayer("migration")
        .mayOnlyBeAccessedByLayers("cli", "bench", "lab", "agent", "manager", "api")
        .whereLayer("qemu")
        .mayOnlyBeAccessedByLayers("cli", "bench", "lab", "agent", "manager", "api", "migration")
        .whereLayer("qmp")
        .mayOnlyBeAccessedByLayers("bench", "agent", "qemu", "migration")
        .check(FERRY);
  }

  @Test
  void theProductNeverUsesTheLab() {
    noClasses()
        .that()
        .resideOutsideOfPackages("dev.ferry.lab..", "dev.ferry.bench..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.ferry.lab..")
        .because("the testbed and the demo are a lab around the product, not part of it")
        .check(FERRY);
  }

  @Test
  void theLabAndTheBenchRunTheCliOnlyAsAProcess() {
    noClasses()
        .that()
        .resideInAnyPackage("dev.ferry.lab..", "dev.ferry.bench..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.ferry.cli..")
        .because("they start the product's ferry command (FERRY_JAR), they do not link it")
        .check(FERRY);
  }
}
