package dev.ferry.agent.fence;

import dev.ferry.agent.cluster.LeaseReclaim;
import dev.ferry.agent.cluster.ManagerLink;
import dev.ferry.agent.events.EventBus;
import dev.ferry.api.AgentEvent;
import dev.ferry.api.ApiException;
import dev.ferry.api.ClusterVm;
import dev.ferry.api.Lease;
import dev.ferry.api.ManagerUnreachableException;
import dev.ferry.api.VmInfo;
import dev.ferry.api.VmState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fences the copies of VMs that this host runs without holding their lease: a guest found running
 * here (re-adopted after an agent restart, left by a handover, started while the host was not bound
 * to the manager) whose lease the manager gives to another host, or to this host at a newer epoch,
 * is paused at once and reported; its QEMU is killed only once the manager confirms that the lease
 * holder runs the VM, so a copy is never killed before another one is known to run.
 *
 * <p>One case is resolved rather than fenced: a guest paused here whose lease is still pending from
 * this host, at the epoch after this host's — a handover from here that was left unsettled (the
 * migration gave up as unconfirmed while neither the manager nor the destination answered). The
 * fence reclaims the lease; if the manager gives it back the guest resumes here, and if the
 * destination activated it meanwhile the VM is the destination's and the copy here is fenced as any
 * other. VMs in a migration are left to the migration, which decides by the same lease. Without a
 * manager there is nothing to check; a manager that does not answer is asked again at the next
 * round.
 */
public final class LeaseFence {
  private static final Logger log = LoggerFactory.getLogger(LeaseFence.class);

  /** How often the running VMs are checked against the manager's leases. */
  public static final Duration PERIOD = Duration.ofSeconds(5);

  private final String hostName;
  private final ManagerLink manager;
  private final FencedVms vms;
  private final EventBus events;

  public LeaseFence(String hostName, ManagerLink manager, FencedVms vms, EventBus events) {
    this.hostName = hostName;
    this.manager = manager;
    this.vms = vms;
    this.events = events;
  }

  /** One round; returns what it did, one line per fenced VM (empty when nothing was wrong). */
  public List<String> check() {
    Optional<Map<String, ClusterVm>> leases;
    try {
      leases = manager.clusterVms();
    } catch (ManagerUnreachableException | ApiException e) {
      log.debug("Lease fence: the manager cannot be asked: {}", e.getMessage());
      return List.of();
    }
    if (leases.isEmpty()) {
      return List.of();
    }
    List<String> done = new ArrayList<>();
    for (VmInfo v : vms.list()) {
      ClusterVm held = leases.get().get(v.spec().name());
      if (held == null || !fenceable(v) || mayRunHere(held, v)) {
        continue;
      }
      done.add(fence(v, held));
    }
    return done;
  }

  private static boolean fenceable(VmInfo v) {
    return v.migration().isEmpty()
        && (v.state() == VmState.RUNNING
            || v.state() == VmState.PAUSED
            || v.state() == VmState.STARTING);
  }

  private boolean mayRunHere(ClusterVm held, VmInfo v) {
    return held.host().equals(hostName) && held.epoch() <= v.epoch();
  }

  private String fence(VmInfo v, ClusterVm held) {
    String name = v.spec().name();
    Optional<Lease> lease = leaseQuietly(name);
    if (v.state() == VmState.PAUSED
        && lease.isPresent()
        && lease.get().pendingFrom().equals(Optional.of(hostName))
        && lease.get().epoch() == v.epoch() + 1) {
      Optional<String> settled = settle(v, lease.get());
      if (settled.isPresent()) {
        return settled.get();
      }
      lease = leaseQuietly(name);
    }
    String why =
        "the manager leases it to "
            + held.host()
            + " at epoch "
            + held.epoch()
            + ", not to "
            + hostName
            + " at epoch "
            + v.epoch();
    if (v.state() != VmState.PAUSED) {
      try {
        vms.pause(name);
        log.error("VM {}: runs here without the lease ({}); paused", name, why);
        publish(name, VmState.PAUSED, "fenced: paused, " + why);
      } catch (RuntimeException e) {
        log.error("VM {}: runs here without the lease ({}) and cannot be paused: {}", name, why, e);
        return name + ": not paused: " + e.getMessage();
      }
    }
    boolean ownerRuns =
        lease.isPresent()
            && lease.get().active()
            && lease.get().host().equals(held.host())
            && held.state() == VmState.RUNNING;
    if (!ownerRuns) {
      return name + ": paused (" + why + "; the holder is not confirmed running)";
    }
    try {
      vms.kill(name);
      log.error("VM {}: killed the copy here: {} runs it", name, held.host());
      publish(name, VmState.STOPPED, "fenced: QEMU killed, " + held.host() + " runs it; " + why);
      return name + ": killed (" + held.host() + " runs it)";
    } catch (RuntimeException e) {
      log.error("VM {}: the fenced copy cannot be killed: {}", name, e.getMessage());
      return name + ": paused, not killed: " + e.getMessage();
    }
  }

  /**
   * Reclaims the lease of a handover from here left unsettled; empty when the destination holds it
   * (settled), so the copy here is fenced as any other.
   */
  private Optional<String> settle(VmInfo v, Lease pending) {
    String name = v.spec().name();
    return switch (manager.reclaim(name, pending.host(), v.epoch(), "unsettled handover")) {
      case LeaseReclaim.Reclaimed r -> {
        try {
          vms.reclaimed(name, r.epoch());
        } catch (RuntimeException e) {
          log.error("VM {}: lease reclaimed at epoch {} but not resumed: {}", name, r.epoch(), e);
          yield Optional.of(name + ": lease reclaimed, not resumed: " + e.getMessage());
        }
        String what =
            "unsettled handover to "
                + pending.host()
                + " resolved: the lease is back here at epoch "
                + r.epoch();
        log.warn("VM {}: {}", name, what);
        publish(name, VmState.RUNNING, what);
        yield Optional.of(name + ": " + what);
      }
      case LeaseReclaim.HeldElsewhere h -> Optional.empty();
      case LeaseReclaim.Unreachable u -> Optional.of(name + ": unsettled, manager silent");
      case LeaseReclaim.NoManager n -> Optional.of(name + ": unsettled, no manager");
    };
  }

  private Optional<Lease> leaseQuietly(String vm) {
    try {
      return manager.lease(vm);
    } catch (ManagerUnreachableException | ApiException e) {
      return Optional.empty();
    }
  }

  private void publish(String vm, VmState state, String message) {
    events.publish(AgentEvent.Type.VM_FENCED, Optional.of(vm), Optional.of(state), message);
  }
}
