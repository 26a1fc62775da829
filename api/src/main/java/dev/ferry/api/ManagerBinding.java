package dev.ferry.api;

import java.util.Optional;

/**
 * Binds an agent to a manager ({@code PUT /v1/manager}): from then on the agent starts or resumes a
 * VM only while the manager's lease for it names this host, and asks the manager to move the lease
 * at each handover. An empty {@code url} unbinds the agent.
 *
 * @param url how the agent reaches the manager ({@code http://198.18.77.2:7800})
 * @param hostName the name the manager knows this host by
 */
public record ManagerBinding(Optional<String> url, String hostName) {
  public ManagerBinding {
    url = url == null ? Optional.empty() : url;
    if (hostName == null || hostName.isBlank()) {
      throw new IllegalArgumentException("hostName is required: the name the manager knows us by");
    }
  }
}
