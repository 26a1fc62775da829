package dev.ferry.agent.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.agent.AgentException;
import dev.ferry.api.AgentEvent;
import dev.ferry.api.VmState;
import dev.ferry.qemu.VmSpec;
import dev.ferry.qmp.FakeQmpServer.Request;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A VM's lifecycle applied for real, without QEMU: the record store and events are real, QEMU is a
 * child process with a scripted monitor on a real unix socket ({@link FakeQemu}).
 */
@Timeout(60)
class ManagedVmTest {
  private static final Duration GRACE = Duration.ofSeconds(5);

  @TempDir Path dir;
  private VmTestKit kit;

  @BeforeEach
  void setUp() {
    kit = new VmTestKit(dir);
  }

  @AfterEach
  void tearDown() throws Exception {
    kit.close();
  }

  @Test
  void aStartedVmRunsAndAGracefulStopPowersItOffAndReleasesItsTaps() throws Exception {
    ManagedVm vm = kit.define(VmTestKit.spec("web", 2));

    var started = vm.start();
    assertThat(started.state()).isEqualTo(VmState.RUNNING);
    assertThat(started.pid()).hasValue(kit.qemu.last().process().pid());
    assertThat(kit.qemu.taps()).hasSize(2);
    assertThat(kit.store.loadAll().records().getFirst().desired())
        .isEqualTo(VmRecord.Desired.RUNNING);

    var stopped = vm.stop(false, GRACE);
    assertThat(stopped.state()).isEqualTo(VmState.STOPPED);
    assertThat(stopped.pid()).isEmpty();
    assertThat(commands(kit.qemu.last())).containsSubsequence("cont", "system_powerdown");
    assertThat(kit.qemu.taps()).isEmpty();
    assertThat(kit.qemu.last().process().isAlive()).isFalse();
    assertThat(vm.paths().pidFile()).doesNotExist();
    assertThat(kit.store.loadAll().records().getFirst().desired())
        .isEqualTo(VmRecord.Desired.STOPPED);
    assertThat(kit.messages("web", AgentEvent.Type.VM_STATE_CHANGED))
        .containsSubsequence("starting", "graceful stop", "stopped");
  }

  @Test
  void aQemuThatExitsDuringStartLeavesTheVmStoppedWithTheErrorRecordedAndNoTaps() {
    kit.qemu.onLaunch(
        qemu -> {
          writeLog(qemu.paths().qemuLog(), "qemu-system-x86_64: cannot set up guest memory");
          qemu.qmp().on("cont", (request, connection) -> qemu.die());
        });
    ManagedVm vm = kit.define(VmTestKit.spec("web", 2));

    assertThatThrownBy(vm::start)
        .isInstanceOf(AgentException.Failed.class)
        .hasMessageContaining("VM 'web': QEMU exited during start")
        .hasMessageContaining("cannot set up guest memory");

    assertThat(vm.state()).isEqualTo(VmState.STOPPED);
    assertThat(vm.info().lastError())
        .hasValueSatisfying(e -> assertThat(e).contains("QEMU exited during start"));
    VmRecord saved = kit.store.loadAll().records().getFirst();
    assertThat(saved.desired()).isEqualTo(VmRecord.Desired.STOPPED);
    assertThat(saved.lastError()).isEqualTo(vm.info().lastError());
    assertThat(kit.qemu.tapsCreated()).hasSize(2);
    assertThat(kit.qemu.taps()).isEmpty();
    assertThat(vm.paths().pidFile()).doesNotExist();
  }

  @Test
  void qemuRefusingToStartLeavesTheVmStoppedWithItsWords() {
    kit.qemu.refusing("-machine pc-q99: unsupported machine type");
    ManagedVm vm = kit.define(VmTestKit.spec("web", 1));

    assertThatThrownBy(vm::start).hasMessageContaining("unsupported machine type");

    assertThat(vm.state()).isEqualTo(VmState.STOPPED);
    assertThat(vm.info().lastError())
        .hasValueSatisfying(e -> assertThat(e).contains("QEMU refused to start"));
    assertThat(kit.qemu.taps()).isEmpty();
  }

  @Test
  void aRecordThatCannotBeWrittenFailsTheStartBeforeQemuIsLaunched() throws Exception {
    ManagedVm vm = kit.define(VmTestKit.spec("web", 1));
    // The store writes a temporary file and renames it; a directory in its place fails the write.
    Files.createDirectories(kit.store.file("web").resolveSibling("vm.json.tmp"));

    assertThatThrownBy(vm::start)
        .isInstanceOf(AgentException.Failed.class)
        .hasMessageContaining("cannot start VM 'web': its record was not saved")
        .hasMessageContaining("vm.json");

    assertThat(vm.state()).isEqualTo(VmState.STOPPED);
    assertThat(kit.qemu.tapsCreated()).isEmpty();
    assertThat(vm.paths().pidFile()).doesNotExist();
  }

  @Test
  void stopWhileAMigrationHoldsTheVmIsRefusedWithTheMigrationsId() {
    ManagedVm vm = kit.define(VmTestKit.spec("web", 1));
    vm.start();
    OutgoingHandle migration = OutgoingSide.begin(vm, "m-1");

    assertThatThrownBy(() -> vm.stop(false, GRACE))
        .isInstanceOf(AgentException.Conflict.class)
        .hasMessage("cannot stop VM 'web': it is migrating (m-1); abort the migration first");
    assertThatThrownBy(vm::pause).hasMessageContaining("it is migrating (m-1)");
    assertThat(vm.info().migration()).contains("m-1");
    assertThat(vm.state()).isEqualTo(VmState.RUNNING);
    assertThat(kit.qemu.last().process().isAlive()).isTrue();

    migration.rollBack();
    assertThat(vm.info().migration()).isEmpty();
    assertThat(vm.stop(true, Duration.ZERO).state()).isEqualTo(VmState.STOPPED);
  }

  @Test
  void aHandoverRecordsTheNewOwnerFirstThenLetsTheSourceQemuGo() {
    ManagedVm vm = kit.define(VmTestKit.spec("web", 1));
    vm.start();
    OutgoingHandle migration = OutgoingSide.begin(vm, "m-1");

    migration.release("host-b", 2);

    assertThat(vm.state()).isEqualTo(VmState.STOPPED);
    assertThat(vm.info().migration()).isEmpty();
    assertThat(kit.qemu.last().process().isAlive()).isFalse();
    assertThat(kit.qemu.taps()).isEmpty();
    VmRecord saved = kit.store.loadAll().records().getFirst();
    assertThat(saved.owner()).isEqualTo("host-b");
    assertThat(saved.epoch()).isEqualTo(2);
    assertThatThrownBy(vm::start).hasMessageContaining("owned by host-b (epoch 2)");
  }

  @Test
  void aCrashLeavesTheVmCrashedWithQemusLastWordsAndReleasesItsTaps() {
    ManagedVm vm = kit.define(VmTestKit.spec("web", 1));
    vm.start();
    writeLog(vm.paths().qemuLog(), "qemu: fatal: trying to execute code outside RAM");

    kit.qemu.last().die();

    await().atMost(Duration.ofSeconds(10)).until(() -> vm.state() == VmState.CRASHED);
    assertThat(vm.info().lastError())
        .hasValueSatisfying(
            e -> assertThat(e).contains("QEMU exited unexpectedly").contains("outside RAM"));
    assertThat(kit.store.loadAll().records().getFirst().lastError())
        .isEqualTo(vm.info().lastError());
    assertThat(kit.qemu.taps()).isEmpty();
    assertThat(vm.start().state()).as("a crashed VM starts again").isEqualTo(VmState.RUNNING);
  }

  @Test
  void theGuestPoweringOffLeavesTheVmStoppedWithoutAnError() throws Exception {
    ManagedVm vm = kit.define(VmTestKit.spec("web", 1));
    vm.start();
    FakeQemu.Instance qemu = kit.qemu.last();

    qemu.qmp().connection().event("SHUTDOWN", "{\"guest\": true, \"reason\": \"guest-shutdown\"}");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> kit.messages("web", AgentEvent.Type.GUEST_EVENT).contains("QEMU event SHUTDOWN"));
    qemu.die();

    await().atMost(Duration.ofSeconds(10)).until(() -> vm.state() == VmState.STOPPED);
    assertThat(vm.info().lastError()).isEmpty();
    assertThat(kit.store.loadAll().records().getFirst().desired())
        .isEqualTo(VmRecord.Desired.STOPPED);
    assertThat(kit.messages("web", AgentEvent.Type.VM_STATE_CHANGED)).contains("guest powered off");
  }

  @Test
  void vcpuEventsFromQemuAreFollowed() throws Exception {
    ManagedVm vm = kit.define(VmTestKit.spec("web", 0));
    vm.start();

    kit.qemu.last().qmp().connection().event("STOP", null);
    await().atMost(Duration.ofSeconds(10)).until(() -> vm.state() == VmState.PAUSED);
    kit.qemu.last().qmp().connection().event("RESUME", null);
    await().atMost(Duration.ofSeconds(10)).until(() -> vm.state() == VmState.RUNNING);
  }

  @Test
  void anIncomingVmRunsHereOnlyOnceTakenOver() {
    VmSpec spec = VmTestKit.spec("web", 1);
    VmRecord received = VmRecord.incoming(spec, "host-b", 4);
    kit.store.save(received);
    ManagedVm vm = kit.vm(received);

    IncomingHandle incoming = IncomingSide.receive(vm, "m-7");
    assertThat(vm.state()).isEqualTo(VmState.INCOMING);
    assertThat(incoming.alive()).isTrue();
    assertThatThrownBy(vm::start).hasMessageContaining("it is migrating (m-7)");
    assertThat(commands(kit.qemu.last())).doesNotContain("cont");

    incoming.takeOver(5);

    assertThat(vm.state()).isEqualTo(VmState.RUNNING);
    assertThat(commands(kit.qemu.last())).contains("cont");
    VmRecord saved = kit.store.loadAll().records().getFirst();
    assertThat(saved.owner()).isEqualTo(VmTestKit.HOST);
    assertThat(saved.epoch()).isEqualTo(5);
  }

  @Test
  void aDiscardedIncomingVmLeavesNoQemuAndNoTaps() {
    VmRecord received = VmRecord.incoming(VmTestKit.spec("web", 1), "host-b", 4);
    kit.store.save(received);
    ManagedVm vm = kit.vm(received);
    IncomingHandle incoming = IncomingSide.receive(vm, "m-7");

    incoming.discard("the source gave up");

    assertThat(vm.state()).isEqualTo(VmState.STOPPED);
    assertThat(incoming.alive()).isFalse();
    assertThat(kit.qemu.last().process().isAlive()).isFalse();
    assertThat(kit.qemu.taps()).isEmpty();
  }

  @Test
  void aDiskMoveHoldsTheVmUntilItEndsAndRecordsTheMovedDisk() {
    ManagedVm vm = kit.define(VmTestKit.spec("web", 0));
    vm.start();
    DiskMoveHandle move = DiskMoveSide.begin(vm, "disk move of d0");

    assertThatThrownBy(() -> OutgoingSide.begin(vm, "m-1"))
        .hasMessage("VM 'web' is already migrating (disk move of d0)");
    assertThatThrownBy(vm::pause).hasMessageContaining("one of its disks is moving");

    VmSpec moved = vm.spec();
    move.finish(moved);
    assertThat(vm.info().migration()).isEmpty();
    assertThat(vm.pause().state()).isEqualTo(VmState.PAUSED);
  }

  private static java.util.List<String> commands(FakeQemu.Instance qemu) {
    return qemu.qmp().received().stream().map(Request::command).toList();
  }

  private static void writeLog(Path file, String line) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, line + "\n");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
