package dev.ferry.manager.balance;

/**
 * One VM's demand on its host, as measured now.
 *
 * @param name unique VM name
 * @param host the host it runs on (or, stopped, is defined on)
 * @param cpuCores CPU it uses now, in cores (1.5 = one and a half cores busy)
 * @param memoryBytes memory it has committed on its host
 * @param dirtyBytesPerSecond how fast it dirties memory: what makes a live migration long
 * @param movable false when stopped or already migrating: it stays put but still counts toward its
 *     host's load
 */
public record VmLoad(
    String name,
    String host,
    double cpuCores,
    long memoryBytes,
    long dirtyBytesPerSecond,
    boolean movable) {

  public VmLoad {
    Checks.name(name, "VM name");
    Checks.name(host, "VM " + name + ": host");
    if (!(cpuCores >= 0) || Double.isInfinite(cpuCores)) {
      throw new IllegalArgumentException(
          "VM " + name + ": cpuCores must be a finite number >= 0, got " + cpuCores);
    }
    if (memoryBytes < 0) {
      throw new IllegalArgumentException(
          "VM " + name + ": memoryBytes must not be negative, got " + memoryBytes);
    }
    if (dirtyBytesPerSecond < 0) {
      throw new IllegalArgumentException(
          "VM " + name + ": dirtyBytesPerSecond must not be negative, got " + dirtyBytesPerSecond);
    }
  }

  /** This VM as if it ran on {@code otherHost}. */
  public VmLoad on(String otherHost) {
    return new VmLoad(name, otherHost, cpuCores, memoryBytes, dirtyBytesPerSecond, movable);
  }
}
