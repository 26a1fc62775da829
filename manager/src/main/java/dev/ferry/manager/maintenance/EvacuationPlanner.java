package dev.ferry.manager.maintenance;

import java.util.List;

/** Plans where each VM of a host entering maintenance goes, in the order to start them. */
public interface EvacuationPlanner {

  /** The plan: moves in start order, and VMs that cannot go anywhere with the reason. */
  record Plan(List<Move> moves, List<Stuck> stuck) {}

  record Move(String vm, String to) {}

  record Stuck(String vm, String reason) {}

  Plan plan(String host);
}
