package dev.ferry.e2e;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.ferry.migration.MigrationEvent;
import dev.ferry.migration.MigrationState;
import dev.ferry.migration.MigrationStateMachine;
import dev.ferry.qmp.MigrationUri;
import org.junit.jupiter.api.Test;

/**
 * Package rules of the migration engine: the domain has no I/O, phases never call one another (only
 * the runner sequences them), the two sides of a migration know each other only through the domain
 * and the api, and the agent's packages are free of cycles.
 */
class EngineLayeringTest {
  private static final JavaClasses FERRY =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.ferry");

  private static final String OUTGOING = "dev.ferry.agent.migration.outgoing";

  private static final DescribedPredicate<JavaClass> PHASE =
      DescribedPredicate.describe(
          "a phase",
          c ->
              c.getPackageName().equals(OUTGOING)
                  && (c.getSimpleName().endsWith("Phase") || c.getSimpleName().equals("Rollback")));

  @Test
  void theMigrationDomainDoesNoIo() {
    noClasses()
        .that()
        .resideInAPackage("dev.ferry.migration..")
        .should()
        .dependOnClassesThat(
            JavaClass.Predicates.resideInAnyPackage(
                    "java.net..",
                    "java.nio.channels..",
                    "dev.ferry.qmp..",
                    "dev.ferry.api..",
                    "dev.ferry.agent..")
                // the one value type of qmp the domain holds: an address, checked, no I/O
                .and(
                    DescribedPredicate.not(JavaClass.Predicates.belongToAnyOf(MigrationUri.class))))
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.nio.file.Files")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.lang.ProcessBuilder")
        .orShould()
        .dependOnClassesThat(
            JavaClass.Predicates.resideInAPackage("dev.ferry.qemu..")
                .and(JavaClass.Predicates.simpleNameStartingWith("Qemu")))
        .because(
            "the state machines, the policy and the prediction are pure; the agent does the I/O")
        .check(FERRY);
  }

  @Test
  void phasesNeverCallOneAnotherOnlyTheRunnerSequencesThem() {
    noClasses()
        .that(PHASE)
        .should()
        .dependOnClassesThat(
            DescribedPredicate.describe("another phase", (JavaClass c) -> PHASE.test(c)))
        .because(
            "each phase returns the step it ended with; OutgoingMigration's loop picks the next")
        .check(FERRY);
  }

  @Test
  void theSidesOfAMigrationKnowEachOtherOnlyThroughTheDomainAndTheApi() {
    noClasses()
        .that()
        .resideInAPackage(OUTGOING)
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.ferry.agent.migration.incoming..")
        .check(FERRY);
    noClasses()
        .that()
        .resideInAPackage("dev.ferry.agent.migration.incoming..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage(OUTGOING + "..")
        .check(FERRY);
  }

  @Test
  void onlyTheRunnerAndTheJournalMoveAMigrationsState() {
    noClasses()
        .that()
        .resideInAPackage("dev.ferry.agent..")
        .and()
        .doNotHaveSimpleName("Journal")
        .should()
        .callMethod(MigrationStateMachine.class, "next", MigrationState.class, MigrationEvent.class)
        .because("every transition is journalled before the next phase acts")
        .check(FERRY);
  }

  @Test
  void theAgentsPackagesAreFreeOfCycles() {
    slices().matching("dev.ferry.agent.(*)..").should().beFreeOfCycles().check(FERRY);
  }
}
