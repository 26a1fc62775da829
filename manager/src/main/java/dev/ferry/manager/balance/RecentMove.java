package dev.ferry.manager.balance;

import java.time.Instant;
import java.util.Objects;

/**
 * A migration that finished (or started) recently. The balancer does not move the VM again within
 * {@link BalancerSettings#noRepeatWindow()}, nor any VM back from {@code to} to {@code from}.
 *
 * @param vm the VM that moved
 * @param from the host it left
 * @param to the host it went to
 * @param at when it moved
 */
public record RecentMove(String vm, String from, String to, Instant at) {
  public RecentMove {
    Checks.name(vm, "recent move: vm");
    Checks.name(from, "recent move of " + vm + ": from");
    Checks.name(to, "recent move of " + vm + ": to");
    Objects.requireNonNull(at, "recent move of " + vm + ": at must not be null");
  }
}
