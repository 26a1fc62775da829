package dev.ferry.agent.vm;

import dev.ferry.agent.AgentException;
import dev.ferry.api.AgentEvent;
import dev.ferry.api.VmCreateRequest;
import dev.ferry.api.VmInfo;
import dev.ferry.api.VmState;
import dev.ferry.common.ByteSize;
import dev.ferry.qemu.VmSpec;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VMs of this host: the public face of the {@code vm} package. Creation and deletion are
 * serialised by one lock (names are unique); everything else is per VM.
 */
public final class VmService {
  private static final Logger log = LoggerFactory.getLogger(VmService.class);

  private final VmContext ctx;
  private final VmSpecFactory specs;
  private final QemuHost host;
  private final ConcurrentMap<String, ManagedVm> vms = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, VmStore.Unreadable> unreadable = new ConcurrentHashMap<>();
  private final ReentrantLock namesLock = new ReentrantLock();

  public VmService(VmContext ctx, VmSpecFactory specs) {
    this(ctx, specs, QemuHost.of(ctx));
  }

  /** With another way to launch QEMU and make taps (component tests). */
  VmService(VmContext ctx, VmSpecFactory specs, QemuHost host) {
    this.ctx = ctx;
    this.specs = specs;
    this.host = host;
  }

  /**
   * Loads every persisted VM and re-adopts those whose QEMU still runs. A record that cannot be
   * trusted is reported and its name kept reserved: its VM is not adopted (its QEMU, if any, is
   * left alone) and no new VM may take its place until the file is repaired or removed.
   */
  public void recover() {
    VmStore.Loaded loaded = ctx.store().loadAll();
    for (VmStore.Unreadable u : loaded.unreadable()) {
      log.error(
          "VM {}: not recovered, its record cannot be trusted ({}); repair it and restart the"
              + " agent, or remove {}",
          u.name(),
          u.why(),
          u.file());
      unreadable.put(u.name(), u);
    }
    for (VmRecord r : loaded.records()) {
      ManagedVm vm = new ManagedVm(ctx, host, r);
      vms.put(vm.name(), vm);
      try {
        vm.adopt();
      } catch (RuntimeException e) {
        log.error("VM {}: could not re-adopt: {}", vm.name(), e.getMessage());
      }
    }
    log.info("Recovered {} VM definition(s)", vms.size());
  }

  public List<VmInfo> list() {
    return vms.values().stream()
        .sorted(Comparator.comparing(ManagedVm::name))
        .map(ManagedVm::info)
        .toList();
  }

  public VmInfo get(String name) {
    return find(name).info();
  }

  /** Validates, persists and (if asked) starts a new VM; a refused request changes nothing. */
  public VmInfo create(VmCreateRequest request) {
    if (request == null) {
      throw new AgentException.BadRequest("request body is empty");
    }
    VmSpecFactory.checkName(request.name());
    ManagedVm vm;
    namesLock.lock();
    try {
      if (vms.containsKey(request.name())) {
        throw new AgentException.Conflict("a VM named '" + request.name() + "' already exists");
      }
      refuseUnreadable(request.name());
      VmSpec spec = specs.build(request);
      VmRecord record = VmRecord.defined(spec, ctx.hostName());
      ctx.store().save(record);
      vm = new ManagedVm(ctx, host, record);
      vms.put(spec.name(), vm);
    } finally {
      namesLock.unlock();
    }
    ctx.events()
        .publish(
            AgentEvent.Type.VM_CREATED,
            Optional.of(vm.name()),
            Optional.of(vm.state()),
            "created (" + vm.spec().memory() + ", " + vm.spec().vcpus() + " vCPU)");
    if (request.start().orElse(false)) {
      return vm.start();
    }
    return vm.info();
  }

  public VmInfo start(String name) {
    return find(name).start();
  }

  public VmInfo stop(String name, boolean force, Duration grace) {
    return find(name).stop(force, grace);
  }

  public VmInfo pause(String name) {
    return find(name).pause();
  }

  public VmInfo resume(String name) {
    return find(name).resume();
  }

  /**
   * The manager gave this host the lease of {@code name} back at {@code epoch} after a handover
   * that was left unsettled: the new epoch is persisted first, then the guest resumes if it was
   * meant to run (the resume checks the lease as any other).
   */
  public VmInfo reclaimed(String name, long epoch) {
    ManagedVm vm = find(name);
    vm.lockedRun(
        () -> vm.persist(vm.record().withOwnership(ctx.hostName(), epoch), "reclaim the lease of"));
    if (vm.record().desired() == VmRecord.Desired.RUNNING && vm.state() == VmState.PAUSED) {
      return vm.resume();
    }
    return vm.info();
  }

  /**
   * The monitor of the QEMU that runs {@code name} here, if one does: for a post-copy stream to
   * recover after the agent restarted (the incoming side's hold is gone by then).
   */
  public Optional<dev.ferry.qmp.QmpClient> liveMonitor(String name) {
    ManagedVm vm = vms.get(name);
    if (vm == null) {
      return Optional.empty();
    }
    return vm.status().process().filter(QemuProcess::isAlive).map(QemuProcess::qmp);
  }

  public String console(String name, long bytes) {
    return find(name).console(bytes);
  }

  /** Deletes the definition; a VM with a process is refused unless {@code force} stops it. */
  public void delete(String name, boolean force) {
    ManagedVm vm = find(name);
    if (vm.state().hasProcess()) {
      if (!force) {
        throw new AgentException.Conflict(
            "VM '" + name + "' is " + vm.state().text() + "; stop it first or use force");
      }
      vm.stop(true, Duration.ZERO);
    }
    namesLock.lock();
    try {
      if (vm.state().hasProcess()) {
        throw new AgentException.Conflict("VM '" + name + "' was started again; not deleted");
      }
      vms.remove(name, vm);
      ctx.store().delete(name);
    } finally {
      namesLock.unlock();
    }
    ctx.events()
        .publish(AgentEvent.Type.VM_DELETED, Optional.of(name), Optional.empty(), "deleted");
  }

  /** Holds a running VM while one of its disks moves; see {@link DiskMoveHandle}. */
  public DiskMoveHandle beginDiskMove(String name, String moveId) {
    return DiskMoveSide.begin(find(name), moveId);
  }

  /**
   * Takes hold of a running VM for an outgoing migration.
   *
   * @throws AgentException.Conflict if it is not running, not owned here, or already migrating
   */
  public OutgoingHandle beginOutgoing(String name, String migrationId) {
    return OutgoingSide.begin(find(name), migrationId);
  }

  /** Re-attaches an outgoing migration found after an agent restart. */
  public OutgoingHandle resumeOutgoing(String name, String migrationId, boolean wasRunning) {
    return OutgoingSide.recover(find(name), migrationId, wasRunning);
  }

  /** After handover and release: forgets the VM, which now lives on another host. */
  public void forgetMigratedAway(String name) {
    namesLock.lock();
    try {
      ManagedVm vm = vms.get(name);
      if (vm != null && !vm.state().hasProcess()) {
        vms.remove(name, vm);
        ctx.store().delete(name);
      }
    } finally {
      namesLock.unlock();
    }
    ctx.events()
        .publish(AgentEvent.Type.VM_DELETED, Optional.of(name), Optional.empty(), "migrated away");
  }

  /**
   * Defines a VM received from {@code sourceHost} (who owns it at {@code epoch} until handover) and
   * starts its QEMU waiting for the stream. Refuses a name already used here.
   */
  public IncomingHandle receive(VmSpec spec, String sourceHost, long epoch, String migrationId) {
    VmSpecFactory.checkName(spec.name());
    specs.revalidate(spec);
    ManagedVm vm;
    namesLock.lock();
    try {
      if (vms.containsKey(spec.name())) {
        throw new AgentException.Conflict(
            "a VM named '" + spec.name() + "' already exists on this host");
      }
      refuseUnreadable(spec.name());
      VmRecord record = VmRecord.incoming(spec, sourceHost, epoch);
      ctx.store().save(record);
      vm = new ManagedVm(ctx, host, record);
      vms.put(spec.name(), vm);
    } finally {
      namesLock.unlock();
    }
    try {
      return IncomingSide.receive(vm, migrationId);
    } catch (RuntimeException e) {
      forgetIncoming(spec.name());
      throw e;
    }
  }

  /** The incoming side of a VM found after an agent restart, if its QEMU still lives. */
  public Optional<IncomingHandle> incoming(String name, String migrationId) {
    ManagedVm vm = vms.get(name);
    return vm == null ? Optional.empty() : IncomingSide.recover(vm, migrationId);
  }

  /** Removes a discarded incoming VM's definition (never one this host owns). */
  public void forgetIncoming(String name) {
    namesLock.lock();
    try {
      ManagedVm vm = vms.get(name);
      if (vm != null && !vm.state().hasProcess() && !vm.record().owner().equals(ctx.hostName())) {
        vms.remove(name, vm);
        ctx.store().delete(name);
      }
    } finally {
      namesLock.unlock();
    }
  }

  /** Names of VMs recorded as incoming (received, not handed over), for recovery. */
  public List<String> incomingNames() {
    return vms.values().stream()
        .filter(v -> v.record().desired() == VmRecord.Desired.INCOMING)
        .map(ManagedVm::name)
        .toList();
  }

  /** The manager this host is bound to (a no-op link when standalone). */
  public dev.ferry.agent.cluster.ManagerLink manager() {
    return ctx.manager();
  }

  /** Whether this host owns the VM (false when unknown here). */
  public boolean owns(String name) {
    ManagedVm vm = vms.get(name);
    return vm != null && vm.record().owner().equals(ctx.hostName());
  }

  /** Checks boot files, machine, CPU, memory and bridges of a spec from another host. */
  public void revalidateBootAndDevices(VmSpec spec) {
    specs.revalidate(spec, false);
  }

  /** Whether this host sees a disk's image (shared storage). */
  public dev.ferry.api.IncomingCheck.DiskVisibility diskVisibility(dev.ferry.qemu.DiskSpec disk) {
    return specs.visibility(disk);
  }

  /** Memory given to VMs that have a QEMU process. */
  public ByteSize committedMemory() {
    return vms.values().stream()
        .filter(v -> v.state().hasProcess())
        .map(v -> v.spec().memory())
        .reduce(ByteSize.ZERO, ByteSize::plus);
  }

  /** Closes monitor connections; QEMU processes keep running. */
  public void detachAll() {
    vms.values().forEach(ManagedVm::detach);
  }

  private void refuseUnreadable(String name) {
    VmStore.Unreadable u = unreadable.get(name);
    if (u == null) {
      return;
    }
    if (!Files.exists(u.file())) {
      unreadable.remove(name, u); // the operator removed it
      return;
    }
    throw new AgentException.Conflict(
        "a VM named '"
            + name
            + "' is defined here, but its record "
            + u.file()
            + " cannot be trusted ("
            + u.why()
            + "); repair it and restart the agent, or remove it");
  }

  private ManagedVm find(String name) {
    ManagedVm vm = vms.get(name);
    if (vm == null) {
      throw new AgentException.NotFound("no VM named '" + name + "' on this host");
    }
    return vm;
  }
}
