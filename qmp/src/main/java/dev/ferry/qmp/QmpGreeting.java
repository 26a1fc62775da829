package dev.ferry.qmp;

import java.util.List;
import java.util.Objects;

/**
 * What QEMU says first on a QMP connection.
 *
 * @param capabilities protocol capabilities QEMU offers (e.g. {@code oob}); this client enables
 *     none of them
 */
public record QmpGreeting(QemuVersion version, List<String> capabilities) {
  public QmpGreeting {
    Objects.requireNonNull(version, "version");
    capabilities = capabilities == null ? List.of() : List.copyOf(capabilities);
  }
}
