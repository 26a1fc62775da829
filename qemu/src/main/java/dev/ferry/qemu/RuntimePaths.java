package dev.ferry.qemu;

import java.nio.file.Path;

/**
 * Where one QEMU process keeps its host-local files. The directory holds the QMP socket and the
 * pidfile, which together let a restarted agent find and re-adopt a running VM.
 */
public record RuntimePaths(Path dir) {
  public Path qmpSocket() {
    return dir.resolve("qmp.sock");
  }

  public Path pidFile() {
    return dir.resolve("qemu.pid");
  }

  /** The guest's serial console. */
  public Path consoleLog() {
    return dir.resolve("console.log");
  }

  /** QEMU's own stderr and messages. */
  public Path qemuLog() {
    return dir.resolve("qemu.log");
  }
}
