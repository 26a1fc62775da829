package dev.ferry.agent.cluster;

import dev.ferry.agent.events.EventBus;
import dev.ferry.agent.vm.VmService;
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
 * holder runs the VM, so a copy is never killed before another one is known to run. VMs in a
 * migration are left to the migration, which decides by the same lease. Without a manager there is
 * nothing to check; a manager that does not answer is asked again at the next round.
 */
public final class LeaseFence {
  private static final Logger log = LoggerFactory.getLogger(LeaseFence.class);

  /** How often the running VMs are checked against the manager's leases. */
  public static final Duration PERIOD = Duration.ofSeconds(5);

  private final String hostName;
  private final ManagerLink manager;
  private final VmService vms;
  private final EventBus events;

  public LeaseFence(String hostName, ManagerLink manager, VmService vms, EventBus events) {
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
    Optional<Lease> lease = leaseQuietly(name);
    boolean ownerRuns =
        lease.isPresent()
            && lease.get().active()
            && lease.get().host().equals(held.host())
            && held.state() == VmState.RUNNING;
    if (!ownerRuns) {
      return name + ": paused (" + why + "; the holder is not confirmed running)";
    }
    try {
      vms.stop(name, true, Duration.ZERO);
      log.error("VM {}: killed the copy here: {} runs it", name, held.host());
      publish(name, VmState.STOPPED, "fenced: QEMU killed, " + held.host() + " runs it; " + why);
      return name + ": killed (" + held.host() + " runs it)";
    } catch (RuntimeException e) {
      log.error("VM {}: the fenced copy cannot be killed: {}", name, e.getMessage());
      return name + ": paused, not killed: " + e.getMessage();
    }
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
