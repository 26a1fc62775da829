package dev.ferry.qmp;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;
import java.util.UUID;

/** Reply to {@code query-uuid}; all zeros when QEMU was started without {@code -uuid}. */
public record UuidInfo(@JsonProperty("UUID") UUID uuid) {
  public UuidInfo {
    Objects.requireNonNull(uuid, "uuid");
  }
}
