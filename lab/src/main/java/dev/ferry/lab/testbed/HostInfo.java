package dev.ferry.lab.testbed;

import java.util.OptionalLong;

/**
 * A host of a built testbed: its plan and, if the testbed started an agent there, the agent's pid.
 */
public record HostInfo(HostPlan plan, OptionalLong agentPid) {

  public String name() {
    return plan.name();
  }

  public String namespace() {
    return plan.namespace();
  }

  public String address() {
    return plan.address();
  }
}
