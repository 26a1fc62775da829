package dev.ferry.agent.vm;

import dev.ferry.agent.cluster.ManagerLink;
import dev.ferry.agent.events.EventBus;
import dev.ferry.api.AgentEvent;
import dev.ferry.common.ByteSize;
import dev.ferry.qemu.BootSpec;
import dev.ferry.qemu.MacAddress;
import dev.ferry.qemu.NicSpec;
import dev.ferry.qemu.VmSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A host for component tests of the {@code vm} package: a real record store and event bus in a
 * temporary directory, an unbound manager link, and QEMU behind {@link FakeQemu}.
 */
final class VmTestKit implements AutoCloseable {
  static final String HOST = "host-a";

  final FakeQemu qemu = new FakeQemu();
  final VmStore store;
  final EventBus events = new EventBus(Clock.systemUTC());
  final VmContext ctx;
  private final List<ManagedVm> vms = new ArrayList<>();
  private final List<VmService> services = new ArrayList<>();

  VmTestKit(Path stateDir) {
    this.store = new VmStore(stateDir);
    this.ctx =
        new VmContext(
            HOST,
            null,
            null,
            null,
            store,
            events,
            Clock.systemUTC(),
            Duration.ofSeconds(5),
            Duration.ofSeconds(2),
            new ManagerLink(HOST, stateDir));
  }

  /** A small VM with {@code nics} NICs on bridge {@code br0}. */
  static VmSpec spec(String name, int nics) {
    UUID uuid = UUID.randomUUID();
    List<NicSpec> nicSpecs = new ArrayList<>();
    for (int i = 0; i < nics; i++) {
      nicSpecs.add(new NicSpec("net" + i, "br0", MacAddress.derive(uuid, i)));
    }
    return new VmSpec(
        name,
        uuid,
        1,
        ByteSize.ofMiB(64),
        "pc-i440fx-7.2",
        "qemu64",
        new BootSpec.Firmware(),
        List.of(),
        nicSpecs);
  }

  /** A VM defined (and recorded) on this host. */
  ManagedVm define(VmSpec spec) {
    VmRecord record = VmRecord.defined(spec, HOST);
    store.save(record);
    return vm(record);
  }

  ManagedVm vm(VmRecord record) {
    ManagedVm vm = new ManagedVm(ctx, qemu, record);
    vms.add(vm);
    return vm;
  }

  VmService service() {
    VmService service = new VmService(ctx, null, qemu);
    services.add(service);
    return service;
  }

  /** The messages of the events published about {@code vm}, oldest first. */
  List<String> messages(String vm, AgentEvent.Type type) {
    return events.since(0).stream()
        .filter(e -> e.type() == type && e.vm().filter(vm::equals).isPresent())
        .map(AgentEvent::message)
        .toList();
  }

  /**
   * Stops what the test left running, so no exit watcher writes into the directory while it is
   * removed, then ends every fake QEMU.
   */
  @Override
  public void close() throws IOException {
    for (ManagedVm vm : vms) {
      if (vm.status().hold().isEmpty() && vm.state().hasProcess()) {
        vm.stop(true, Duration.ZERO);
      }
    }
    for (VmService service : services) {
      for (var vm : service.list()) {
        if (vm.migration().isEmpty() && vm.state().hasProcess()) {
          service.stop(vm.spec().name(), true, Duration.ZERO);
        }
      }
    }
    qemu.close();
    ctx.manager().close();
  }
}
