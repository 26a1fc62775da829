package dev.ferry.manager.balance;

/** Where a new VM should start, or why it cannot start anywhere. */
public sealed interface PlacementDecision {

  /** For an operator: why this host, or why none. */
  String reason();

  /**
   * Start it on {@code host}.
   *
   * @param host the chosen host
   * @param reason why that host
   */
  record Placed(String host, String reason) implements PlacementDecision {}

  /**
   * No host can take it.
   *
   * @param reason what each host lacked, summarised (e.g. "host-a: not schedulable (down or in
   *     maintenance); host-b: 512 MiB free, needs 1 GiB")
   */
  record Refused(String reason) implements PlacementDecision {}
}
