package dev.ferry.qemu;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The engine that runs guest code. Both ends of a migration must use the same one. */
public enum Accelerator {
  KVM,
  TCG;

  @JsonValue
  public String qemuName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
