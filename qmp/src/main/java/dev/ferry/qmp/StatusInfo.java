package dev.ferry.qmp;

import java.util.Objects;

/** Reply to {@code query-status}. */
public record StatusInfo(boolean running, RunState status) {
  public StatusInfo {
    Objects.requireNonNull(status, "status");
  }
}
