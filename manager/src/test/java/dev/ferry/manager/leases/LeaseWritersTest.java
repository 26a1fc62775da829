package dev.ferry.manager.leases;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.ferry.manager.store.VmStore;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The lease ledger is the only writer of a VM's lease. */
class LeaseWritersTest {
  private static final JavaClasses MANAGER =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.ferry.manager");

  private static final Set<String> LEASE_WRITES =
      Set.of("grant", "transfer", "activate", "reclaim", "giveBack", "setEpoch", "delete");

  @Test
  void nothingOutsideTheLeasesPackageWritesALease() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.ferry.manager.leases..")
        .should()
        .callMethodWhere(
            DescribedPredicate.describe(
                "a lease-writing method of VmStore (" + String.join(", ", LEASE_WRITES) + ")",
                (JavaCall<?> call) ->
                    call.getTargetOwner().isEquivalentTo(VmStore.class)
                        && LEASE_WRITES.contains(call.getName())))
        .because("dev.ferry.manager.leases.Leases decides and records every change of a lease")
        .check(MANAGER);
  }
}
