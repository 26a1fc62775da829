package dev.ferry.qmp;

import java.util.Optional;

/** Reply to {@code query-name}: the {@code -name} given on the command line, if any. */
public record NameInfo(Optional<String> name) {
  public NameInfo {
    name = name == null ? Optional.empty() : name;
  }
}
