package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Small files with one job: no main source file over 600 lines, no class with more than 15 instance
 * fields. The few wide types below are value records whose width is the protocol's (each component
 * is one field of a wire or journal format) and are named with the reason.
 */
class CodeSizeTest {
  private static final int MAX_LINES = 600;
  private static final int MAX_FIELDS = 15;

  private static final Map<String, String> WIDE =
      Map.of(
          "dev.ferry.migration.MigrationRecord", "the journal and wire record of one migration",
          "dev.ferry.qmp.MigrationParameters", "QEMU's migrate-set-parameters, field by field",
          "dev.ferry.qmp.MigrationParameters$Builder", "builder of the above",
          "dev.ferry.qmp.MigrationInfo$Stats", "QEMU's query-migrate ram statistics",
          "dev.ferry.cli.MigrateCommand", "picocli: one field per command-line option",
          "dev.ferry.manager.balance.ClusterModel", "the balancer's arrays, one per host figure",
          "dev.ferry.manager.balance.sim.BalanceBench$Row", "one row of the balancing table");

  private static Path root() {
    Path here = Path.of("").toAbsolutePath();
    return Files.exists(here.resolve("e2e")) ? here : here.getParent();
  }

  @Test
  void noMainSourceFileIsLongerThan600Lines() throws IOException {
    List<String> long_ = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root())) {
      for (Path f :
          files
              .filter(p -> p.toString().endsWith(".java"))
              .filter(p -> p.toString().contains("/src/main/java/"))
              .filter(p -> !p.toString().contains("/target/"))
              .toList()) {
        long lines;
        try (Stream<String> l = Files.lines(f)) {
          lines = l.count();
        }
        if (lines > MAX_LINES) {
          long_.add(root().relativize(f) + ": " + lines + " lines");
        }
      }
    }
    assertThat(long_).as("files over %d lines", MAX_LINES).isEmpty();
  }

  @Test
  void noClassHasMoreThan15InstanceFields() {
    JavaClasses ferry =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.ferry");
    assertThat(ferry.size()).isGreaterThan(300);
    List<String> wide = new ArrayList<>();
    for (JavaClass c : ferry) {
      long fields =
          c.getFields().stream()
              .filter(f -> !f.getModifiers().contains(JavaModifier.STATIC))
              .filter(f -> !f.getModifiers().contains(JavaModifier.SYNTHETIC))
              .count();
      if (fields > MAX_FIELDS && !WIDE.containsKey(c.getName())) {
        wide.add(c.getName() + ": " + fields + " fields");
      }
    }
    assertThat(wide).as("classes with more than %d instance fields", MAX_FIELDS).isEmpty();
    assertThat(WIDE.keySet())
        .as("every exception names a class that exists")
        .allMatch(name -> ferry.contain(name));
  }
}
