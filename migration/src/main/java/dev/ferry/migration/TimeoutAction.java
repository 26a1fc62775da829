package dev.ferry.migration;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What happens when a migration reaches its time budget without finishing. */
public enum TimeoutAction {
  /** Cancel; the VM keeps running on the source. */
  ABORT,
  /**
   * Finish now: switch to post-copy when the request allows it, else stop the guest and send what
   * is left (a downtime of remaining/bandwidth); abort if even that does not finish in time.
   */
  FORCE;

  @JsonValue
  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static TimeoutAction parse(String text) {
    try {
      return valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("timeout action '" + text + "' is not abort or force", e);
    }
  }
}
