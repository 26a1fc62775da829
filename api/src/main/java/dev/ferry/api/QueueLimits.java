package dev.ferry.api;

/**
 * How many migrations may run at once (vSphere allows 8 per host; KubeVirt 2 outgoing per node and
 * 5 per cluster).
 *
 * @param outgoingPerHost migrations leaving one host
 * @param incomingPerHost migrations arriving at one host
 * @param cluster migrations in the whole cluster
 */
public record QueueLimits(int outgoingPerHost, int incomingPerHost, int cluster) {
  public static final QueueLimits DEFAULT = new QueueLimits(2, 2, 5);

  public QueueLimits {
    check("outgoingPerHost", outgoingPerHost);
    check("incomingPerHost", incomingPerHost);
    check("cluster", cluster);
  }

  private static void check(String what, int value) {
    if (value < 1 || value > 64) {
      throw new IllegalArgumentException(what + " must be 1..64, not " + value);
    }
  }
}
