package dev.ferry.qmp;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The name of a migration capability. An open set: QEMU versions add capabilities, so callers probe
 * with {@code query-migrate-capabilities} rather than assume; the constants are the ones Ferry uses
 * (all present in QEMU 7.2).
 */
public record MigrationCapability(String name) {

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]*");

  public static final MigrationCapability XBZRLE = new MigrationCapability("xbzrle");
  public static final MigrationCapability AUTO_CONVERGE = new MigrationCapability("auto-converge");
  public static final MigrationCapability EVENTS = new MigrationCapability("events");
  public static final MigrationCapability POSTCOPY_RAM = new MigrationCapability("postcopy-ram");
  public static final MigrationCapability RETURN_PATH = new MigrationCapability("return-path");
  public static final MigrationCapability PAUSE_BEFORE_SWITCHOVER =
      new MigrationCapability("pause-before-switchover");
  public static final MigrationCapability MULTIFD = new MigrationCapability("multifd");
  public static final MigrationCapability LATE_BLOCK_ACTIVATE =
      new MigrationCapability("late-block-activate");
  public static final MigrationCapability VALIDATE_UUID = new MigrationCapability("validate-uuid");
  public static final MigrationCapability POSTCOPY_PREEMPT =
      new MigrationCapability("postcopy-preempt");
  public static final MigrationCapability ZERO_COPY_SEND =
      new MigrationCapability("zero-copy-send");

  public MigrationCapability {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not a migration capability name: '" + name + "'");
    }
  }

  @JsonCreator
  public static MigrationCapability of(String name) {
    return new MigrationCapability(name);
  }

  @JsonValue
  @Override
  public String name() {
    return name;
  }

  @Override
  public String toString() {
    return name;
  }
}
