package dev.ferry.migration;

/** What can happen to the destination's side; input of {@link IncomingStateMachine#next}. */
public sealed interface IncomingEvent {
  /** The source asks the destination to take the VM over with {@code epoch}. */
  record TakeoverRequested(long epoch) implements IncomingEvent {}

  /** Ownership is persisted and the guest runs here. */
  record TookOver() implements IncomingEvent {}

  /** Taking over failed before the guest ran here; the side goes on receiving. */
  record TakeoverFailed(String why) implements IncomingEvent {}

  /** Remove the side: the source aborted, went silent, QEMU died, or the agent restarted. */
  record Discard(String why) implements IncomingEvent {}
}
