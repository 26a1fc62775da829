package dev.ferry.manager.vms;

import dev.ferry.api.ApiException;
import dev.ferry.api.ClusterMigration;
import dev.ferry.api.ClusterVm;
import dev.ferry.api.ClusterVmCreate;
import dev.ferry.api.Lease;
import dev.ferry.api.LeaseActivation;
import dev.ferry.api.LeaseTransfer;
import dev.ferry.api.VmCreateRequest;
import dev.ferry.api.VmInfo;
import dev.ferry.api.VmState;
import dev.ferry.manager.ManagerException;
import dev.ferry.manager.hosts.AgentPool;
import dev.ferry.manager.leases.LeaseCause;
import dev.ferry.manager.leases.LeaseDecision;
import dev.ferry.manager.leases.Leases;
import dev.ferry.manager.store.EventLog;
import dev.ferry.manager.store.HostStore;
import dev.ferry.manager.store.MigrationStore;
import dev.ferry.manager.store.VmStore;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

/**
 * The cluster's VMs. A VM created here gets its lease first (to the host placement chose, through
 * {@link Leases}), then is defined on that host's agent; if the agent refuses, the lease is
 * withdrawn, so nothing is half-created. Lease transfers asked by agents at handover are passed to
 * {@link Leases} and its decision answered.
 */
public final class ClusterVms {
  private final VmStore vms;
  private final Leases leases;
  private final HostStore hosts;
  private final MigrationStore migrations;
  private final EventLog events;
  private final AgentPool agents;
  private final Placer placer;
  private final Clock clock;
  private final ReentrantLock createLock = new ReentrantLock();

  public ClusterVms(
      VmStore vms,
      Leases leases,
      HostStore hosts,
      MigrationStore migrations,
      EventLog events,
      AgentPool agents,
      Placer placer,
      Clock clock) {
    this.vms = vms;
    this.leases = leases;
    this.hosts = hosts;
    this.migrations = migrations;
    this.events = events;
    this.agents = agents;
    this.placer = placer;
    this.clock = clock;
  }

  public List<ClusterVm> list() {
    Map<String, String> active =
        migrations.active().stream()
            .map(MigrationStore.Row::migration)
            .collect(Collectors.toMap(ClusterMigration::vm, ClusterMigration::id, (a, b) -> a));
    return vms.all().stream().map(r -> withMigration(r.vm(), active.get(r.vm().name()))).toList();
  }

  public ClusterVm get(String name) {
    return list().stream()
        .filter(v -> v.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new ManagerException(404, "no VM named '" + name + "'"));
  }

  /** Creates a VM on the host placement picks (or the pinned one). */
  public ClusterVm create(ClusterVmCreate request) {
    VmCreateRequest vm = request.vm();
    if (vm == null || vm.name() == null || vm.name().isBlank()) {
      throw new ManagerException(400, "the VM needs a name");
    }
    if (vm.memory() == null || vm.memory().bytes() <= 0) {
      throw new ManagerException(400, "VM '" + vm.name() + "' needs memory > 0");
    }
    int vcpus = vm.vcpus().orElse(1);
    createLock.lock();
    try {
      if (vms.find(vm.name()).isPresent()) {
        throw new ManagerException(409, "a VM named '" + vm.name() + "' exists in the cluster");
      }
      String host =
          placer.place(
              vm.name(), vcpus, vm.memory().bytes(), request.host(), request.antiAffinity());
      String url =
          hosts
              .find(host)
              .orElseThrow(() -> new ManagerException(404, "no host named '" + host + "'"))
              .url();
      Leases.Grant grant =
          new Leases.Grant(
              vm.name(), host, 0, VmState.STOPPED, vcpus, vm.memory(), request.antiAffinity());
      if (leases.grant(grant, LeaseCause.VM_CREATED) instanceof LeaseDecision.Conflict c) {
        throw new ManagerException(
            409,
            "a VM named '" + vm.name() + "' exists in the cluster (on " + c.current().host() + ")");
      }
      VmInfo created;
      try {
        created = agents.operations(url).createVm(vm);
      } catch (ApiException e) {
        leases.withdraw(vm.name(), LeaseCause.CREATE_FAILED, host + " refused: " + e.getMessage());
        throw new ManagerException(e.error().status(), host + " refused: " + e.getMessage());
      } catch (RuntimeException e) {
        leases.withdraw(
            vm.name(), LeaseCause.CREATE_FAILED, host + " did not answer: " + e.getMessage());
        throw new ManagerException(502, host + " did not create it: " + e.getMessage());
      }
      leases.confirmEpoch(vm.name(), host, created.epoch());
      vms.observe(vm.name(), host, created.state(), vcpus, vm.memory(), clock.instant());
      events.record(
          "vm-created",
          vm.name(),
          "on " + host + " (" + created.state().text() + "), lease granted");
      return get(vm.name());
    } finally {
      createLock.unlock();
    }
  }

  public Lease lease(String vm) {
    return vms.find(vm)
        .map(VmStore.Row::lease)
        .orElseThrow(() -> new ManagerException(404, "the manager knows no VM named '" + vm + "'"));
  }

  /** Moves a lease at handover: compare-and-set, idempotent. */
  public Lease transfer(String vm, LeaseTransfer t) {
    if (hosts.find(t.to()).isEmpty()) {
      throw new ManagerException(409, "lease of '" + vm + "' cannot go to unknown host " + t.to());
    }
    return switch (leases.transfer(
        vm, t.from(), t.to(), t.epoch(), LeaseCause.HANDOVER, t.migration())) {
      case LeaseDecision.Transferred moved -> moved.lease();
      case LeaseDecision.Unknown u ->
          throw new ManagerException(404, "the manager knows no VM named '" + vm + "'");
      case LeaseDecision.Conflict c ->
          throw new ManagerException(
              409,
              "lease of '"
                  + vm
                  + "' is held by "
                  + c.current().host()
                  + " at epoch "
                  + c.current().epoch()
                  + ", not by "
                  + t.from()
                  + " at epoch "
                  + t.epoch());
    };
  }

  /** Settles a pending lease before its holder resumes the guest: compare-and-set, idempotent. */
  public Lease activate(String vm, LeaseActivation a) {
    if (a.host() == null || a.migration() == null || a.epoch() < 1) {
      throw new ManagerException(400, "a lease activation needs host, epoch (≥ 1) and migration");
    }
    return answer(
        vm,
        leases.activate(vm, a.host(), a.epoch(), a.migration()),
        "cannot be activated by " + a.host() + " at epoch " + a.epoch());
  }

  /** Takes back a pending lease after a failed handover: compare-and-set, idempotent. */
  public Lease reclaim(String vm, LeaseTransfer t) {
    if (t.from() == null || t.to() == null || t.migration() == null || t.epoch() < 0) {
      throw new ManagerException(400, "a lease reclaim needs from, to, epoch (≥ 0) and migration");
    }
    return answer(
        vm,
        leases.reclaim(vm, t.from(), t.to(), t.epoch(), t.migration()),
        "cannot be reclaimed by " + t.from());
  }

  /** A destination gives back a lease it activated but could not use: compare-and-set. */
  public Lease giveBack(String vm, LeaseTransfer t) {
    if (t.from() == null || t.to() == null || t.migration() == null || t.epoch() < 1) {
      throw new ManagerException(400, "a lease return needs from, to, epoch (≥ 1) and migration");
    }
    return answer(
        vm,
        leases.giveBack(vm, t.from(), t.to(), t.epoch(), t.migration()),
        "cannot be returned by " + t.from());
  }

  /** The lease a settling decision left, or the 404/409 that names why there is none. */
  private static Lease answer(String vm, LeaseDecision d, String refused) {
    return switch (d) {
      case LeaseDecision.Activated done -> done.lease();
      case LeaseDecision.Reclaimed back -> back.lease();
      case LeaseDecision.Transferred moved -> moved.lease();
      case LeaseDecision.Granted granted -> granted.lease();
      case LeaseDecision.Unknown u ->
          throw new ManagerException(404, "the manager knows no VM named '" + vm + "'");
      case LeaseDecision.Conflict c ->
          throw new ManagerException(
              409, "lease of '" + vm + "' " + refused + ": " + describe(c.current()));
      case LeaseDecision.Withdrawn w ->
          throw new ManagerException(409, "lease of '" + vm + "' was withdrawn");
    };
  }

  private static String describe(Lease l) {
    return (l.active() ? "" : "pending ")
        + "held by "
        + l.host()
        + " at epoch "
        + l.epoch()
        + l.pendingFrom().map(f -> " (from " + f + ")").orElse("");
  }

  private static ClusterVm withMigration(ClusterVm v, String migration) {
    return new ClusterVm(
        v.name(),
        v.host(),
        v.epoch(),
        v.state(),
        v.vcpus(),
        v.memory(),
        Optional.ofNullable(migration),
        v.seen());
  }
}
