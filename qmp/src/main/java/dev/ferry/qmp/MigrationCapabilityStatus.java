package dev.ferry.qmp;

import java.util.Objects;

/** A capability and whether it is on: an entry of query- and migrate-set-capabilities. */
public record MigrationCapabilityStatus(MigrationCapability capability, boolean state) {
  public MigrationCapabilityStatus {
    Objects.requireNonNull(capability, "capability");
  }

  public static MigrationCapabilityStatus enable(MigrationCapability capability) {
    return new MigrationCapabilityStatus(capability, true);
  }

  public static MigrationCapabilityStatus disable(MigrationCapability capability) {
    return new MigrationCapabilityStatus(capability, false);
  }
}
