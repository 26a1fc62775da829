package dev.ferry.qemu;

import com.fasterxml.jackson.annotation.JsonValue;

/** Image formats Ferry runs guests from. */
public enum DiskFormat {
  QCOW2("qcow2"),
  RAW("raw");

  private final String qemuName;

  DiskFormat(String qemuName) {
    this.qemuName = qemuName;
  }

  /** The QEMU block driver name. */
  @JsonValue
  public String qemuName() {
    return qemuName;
  }
}
