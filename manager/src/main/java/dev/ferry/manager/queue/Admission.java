package dev.ferry.manager.queue;

import dev.ferry.api.ClusterHost;
import dev.ferry.api.ClusterMigration;
import dev.ferry.api.ClusterVm;
import java.util.List;
import java.util.Optional;

/** Whether a migration may be queued, pure: what the inventory says against the request. */
final class Admission {

  /** The verdict. */
  sealed interface Verdict {}

  /** Queue it; {@code source} is the lease holder the migration leaves. */
  record Accepted(String source) implements Verdict {}

  /** Refused, with the HTTP status that says which kind of refusal, and why. */
  record Refused(int status, String why) implements Verdict {}

  private Admission() {}

  static Verdict check(
      String vm,
      Optional<ClusterVm> known,
      String destination,
      Optional<ClusterHost> target,
      List<ClusterMigration> active) {
    if (known.isEmpty()) {
      return new Refused(404, "no VM named '" + vm + "'");
    }
    ClusterVm v = known.get();
    if (v.host().equals(destination)) {
      return new Refused(
          409, "VM '" + vm + "' already runs on " + destination + "; nothing to migrate");
    }
    if (!v.state().hasProcess()) {
      return new Refused(
          409, "VM '" + vm + "' is " + v.state().text() + "; only a running VM can migrate");
    }
    if (target.isEmpty()) {
      return new Refused(404, "no host named '" + destination + "'");
    }
    ClusterHost dst = target.get();
    if (!dst.schedulable()) {
      return new Refused(
          409,
          "host "
              + destination
              + " takes no VMs: it is "
              + (dst.status() != ClusterHost.Status.UP
                  ? dst.status().text()
                  : "in maintenance (" + dst.maintenance().text() + ")"));
    }
    for (ClusterMigration a : active) {
      if (a.vm().equals(vm)) {
        return new Refused(
            409, "VM '" + vm + "' already has migration " + a.id() + " " + a.status().text());
      }
    }
    return new Accepted(v.host());
  }
}
