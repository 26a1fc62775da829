package dev.ferry.api;

import java.util.List;

/**
 * Applies balancing recommendations ({@code POST /v1/balance/apply}): the named VMs' moves, or
 * every current recommendation when {@code vms} is empty.
 */
public record BalanceApply(List<String> vms) {
  public BalanceApply {
    vms = vms == null ? List.of() : List.copyOf(vms);
  }
}
