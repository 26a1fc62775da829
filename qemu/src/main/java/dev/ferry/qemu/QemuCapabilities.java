package dev.ferry.qemu;

import dev.ferry.qmp.MigrationCapabilityStatus;
import dev.ferry.qmp.MigrationCommand.QueryMigrateCapabilities;
import dev.ferry.qmp.MigrationCommand.QueryMigrateParameters;
import dev.ferry.qmp.MigrationParameters;
import dev.ferry.qmp.QmpClient;
import dev.ferry.qmp.QmpOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a QEMU binary can do for migrations, asked of a scratch QEMU ({@code -machine none}) over
 * QMP: the capability names it knows and its default parameters. Both ends of a migration agree on
 * capabilities from these lists.
 *
 * @param migrationCapabilities capability names, sorted
 * @param defaultParameters the parameters a fresh QEMU starts with
 */
public record QemuCapabilities(
    List<String> migrationCapabilities, MigrationParameters defaultParameters) {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

  /**
   * Starts a scratch QEMU, asks it, and stops it.
   *
   * @throws QemuException when QEMU cannot be started or does not answer
   */
  public static QemuCapabilities probe(QemuBinary qemu) {
    Path dir;
    try {
      dir = Files.createTempDirectory("ferry-qemu-probe");
    } catch (IOException e) {
      throw new QemuException("cannot create a scratch directory: " + e.getMessage(), e);
    }
    RuntimePaths paths = new RuntimePaths(dir);
    List<String> cmd =
        List.of(
            qemu.path().toString(),
            "-machine",
            "none",
            "-nodefaults",
            "-no-user-config",
            "-display",
            "none",
            "-S",
            "-daemonize",
            "-pidfile",
            paths.pidFile().toString(),
            "-qmp",
            "unix:" + paths.qmpSocket() + ",server=on,wait=off");
    ProcessHandle process = QemuLauncher.launch(cmd, paths, START_TIMEOUT);
    try (QmpClient qmp = QmpClient.connect(paths.qmpSocket(), QmpOptions.defaults())) {
      List<String> caps =
          qmp.call(new QueryMigrateCapabilities()).stream()
              .map(MigrationCapabilityStatus::capability)
              .map(Object::toString)
              .sorted()
              .toList();
      MigrationParameters params = qmp.call(new QueryMigrateParameters());
      return new QemuCapabilities(caps, params);
    } finally {
      process.destroyForcibly();
      deleteQuietly(dir);
    }
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A scratch directory under /tmp; the system cleans it if we cannot.
    }
  }
}
