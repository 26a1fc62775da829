package dev.ferry.qemu;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The operator's setting: a fixed accelerator, or {@code auto} to probe what really works. */
public enum AcceleratorChoice {
  AUTO,
  KVM,
  TCG;

  /** Parses {@code auto|kvm|tcg}, case-insensitively. */
  public static AcceleratorChoice parse(String text) {
    try {
      return valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown accelerator '" + text + "' (expected auto, kvm or tcg)", e);
    }
  }

  @JsonValue
  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }
}
