package dev.ferry.agent.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.agent.AgentException;
import dev.ferry.api.AgentEvent;
import dev.ferry.api.VmCreateRequest;
import dev.ferry.api.VmInfo;
import dev.ferry.api.VmState;
import dev.ferry.common.ByteSize;
import dev.ferry.qemu.VmSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent restarting over VMs it left running: QEMU is found by pidfile, command line and the UUID
 * its monitor answers, and anything that does not add up is not adopted. QEMU is {@link FakeQemu}'s
 * stand-in, planted as a previous agent would have left it.
 */
@Timeout(60)
class VmRecoveryTest {
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
  void anUpgradedAgentReAdoptsAVmDefinedBeforeTheUpgrade() throws Exception {
    VmSpec spec = VmTestKit.spec("web", 1);
    Files.createDirectories(kit.store.file("web").getParent());
    Files.writeString(
        kit.store.file("web"), VmStoreTest.legacyRecord(spec, "RUNNING", "host-a", 3));
    FakeQemu.Instance qemu =
        kit.qemu.plant(kit.store.runtimePaths("web"), spec.uuid(), spec.uuid());

    VmService service = kit.service();
    service.recover();

    VmInfo vm = service.get("web");
    assertThat(vm.state()).isEqualTo(VmState.RUNNING);
    assertThat(vm.pid()).hasValue(qemu.process().pid());
    assertThat(vm.epoch()).isEqualTo(3);
    assertThat(kit.messages("web", AgentEvent.Type.VM_ADOPTED))
        .containsExactly("re-adopted running QEMU pid " + qemu.process().pid() + " (running)");

    assertThat(service.pause("web").state()).isEqualTo(VmState.PAUSED);
    assertThat(Files.readString(kit.store.file("web")))
        .as("the first change rewrites the record in the current format")
        .startsWith("ferry-state kind=vm-record version=2 ");
  }

  @Test
  void adoptionRefusesAQemuWhoseMonitorAnswersForAnotherVm() {
    VmSpec spec = VmTestKit.spec("web", 1);
    kit.store.save(VmRecord.defined(spec, "host-a").withDesired(VmRecord.Desired.RUNNING));
    UUID other = UUID.randomUUID();
    FakeQemu.Instance qemu = kit.qemu.plant(kit.store.runtimePaths("web"), spec.uuid(), other);

    VmService service = kit.service();
    service.recover();

    VmInfo vm = service.get("web");
    assertThat(vm.state()).isEqualTo(VmState.CRASHED);
    assertThat(vm.pid()).isEmpty();
    assertThat(vm.lastError())
        .hasValueSatisfying(
            e -> assertThat(e).contains("belongs to VM " + other).contains("not adopted"));
    assertThat(qemu.process().isAlive()).as("a QEMU that is not ours is left alone").isTrue();
    assertThat(kit.store.runtimePaths("web").pidFile()).exists();
  }

  @Test
  void aPidfileNamingAnotherVmsProcessIsNotAdopted() {
    VmSpec spec = VmTestKit.spec("web", 1);
    kit.store.save(VmRecord.defined(spec, "host-a").withDesired(VmRecord.Desired.RUNNING));
    UUID other = UUID.randomUUID();
    FakeQemu.Instance qemu = kit.qemu.plant(kit.store.runtimePaths("web"), other, other);

    VmService service = kit.service();
    service.recover();

    assertThat(service.get("web").state()).isEqualTo(VmState.CRASHED);
    assertThat(service.get("web").lastError())
        .contains("QEMU was not running when the agent started");
    assertThat(qemu.qmp().received()).as("its monitor was never touched").isEmpty();
    assertThat(qemu.process().isAlive()).isTrue();
  }

  @Test
  void aVmWithACorruptRecordIsNotAdoptedAndItsNameStaysTaken() throws Exception {
    VmSpec spec = VmTestKit.spec("web", 1);
    kit.store.save(VmRecord.defined(spec, "host-a").withDesired(VmRecord.Desired.RUNNING));
    Path file = kit.store.file("web");
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 3] ^= 1;
    Files.write(file, bytes);
    FakeQemu.Instance qemu =
        kit.qemu.plant(kit.store.runtimePaths("web"), spec.uuid(), spec.uuid());

    VmService service = kit.service();
    service.recover();

    assertThat(service.list()).isEmpty();
    assertThat(qemu.qmp().received()).as("not adopted blindly").isEmpty();
    assertThat(qemu.process().isAlive()).isTrue();
    VmCreateRequest again =
        new VmCreateRequest(
            "web",
            Optional.empty(),
            ByteSize.ofMiB(64),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            List.of(),
            List.of(),
            Optional.empty());
    assertThatThrownBy(() -> service.create(again))
        .isInstanceOf(AgentException.Conflict.class)
        .hasMessageContaining("its record " + file + " cannot be trusted")
        .hasMessageContaining("checksum mismatch");
    assertThat(file).exists();
  }

  @Test
  void aVmWhoseQemuIsGoneIsCrashedOnlyIfItShouldHaveBeenRunning() {
    kit.store.save(
        VmRecord.defined(VmTestKit.spec("was-running", 0), "host-a")
            .withDesired(VmRecord.Desired.RUNNING));
    kit.store.save(VmRecord.defined(VmTestKit.spec("was-stopped", 0), "host-a"));

    VmService service = kit.service();
    service.recover();

    assertThat(service.get("was-running").state()).isEqualTo(VmState.CRASHED);
    assertThat(service.get("was-stopped").state()).isEqualTo(VmState.STOPPED);
    assertThat(service.get("was-stopped").lastError()).isEmpty();
    assertThat(service.stop("was-running", true, Duration.ZERO).state()).isEqualTo(VmState.CRASHED);
  }
}
