package dev.ferry.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.agent.vm.VmRecord;
import dev.ferry.agent.vm.VmStore;
import dev.ferry.api.AgentClient;
import dev.ferry.api.AgentEndpoint;
import dev.ferry.api.ApiException;
import dev.ferry.common.ByteSize;
import dev.ferry.qemu.AcceleratorChoice;
import dev.ferry.qemu.BootSpec;
import dev.ferry.qemu.DiskFormat;
import dev.ferry.qemu.DiskSpec;
import dev.ferry.qemu.QemuBinary;
import dev.ferry.qemu.VmSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent never runs a VM it does not own: a VM whose record names another host as owner (as after
 * a handover) is refused on start, with the owner and epoch in the reason.
 */
@Timeout(120)
class OwnershipTest {
  @TempDir Path dir;

  @Test
  void agentRefusesToStartAVmOwnedByAnotherHost() throws Exception {
    Path storage = Files.createDirectories(dir.resolve("images"));
    Path disk = Files.write(storage.resolve("disk.raw"), new byte[1 << 20]);
    VmSpec spec =
        new VmSpec(
            "owned-elsewhere",
            UUID.randomUUID(),
            1,
            ByteSize.ofMiB(64),
            "pc-i440fx-7.2",
            "qemu64",
            new BootSpec.Firmware(),
            List.of(new DiskSpec("disk0", disk, DiskFormat.RAW, false)),
            List.of());
    // As a handover to host-b leaves it: the record names the new owner and epoch.
    new VmStore(dir.resolve("state"))
        .save(new VmRecord(spec, VmRecord.Desired.STOPPED, Optional.empty(), "host-b", 7));

    try (Agent agent =
            Agent.start(
                new AgentConfig(
                    "host-a",
                    Optional.empty(),
                    Optional.of(dir.resolve("agent.sock")),
                    dir.resolve("state"),
                    List.of(storage),
                    AcceleratorChoice.TCG,
                    QemuBinary.DEFAULT_PATH,
                    Optional.empty(),
                    Optional.empty()));
        AgentClient client = new AgentClient(new AgentEndpoint.Unix(dir.resolve("agent.sock")))) {
      assertThat(agent.facts().hostname()).isEqualTo("host-a");
      assertThat(client.vm("owned-elsewhere").owner()).isEqualTo("host-b");
      assertThatThrownBy(() -> client.start("owned-elsewhere"))
          .isInstanceOf(ApiException.class)
          .hasMessageContaining("owned by host-b (epoch 7)")
          .hasMessageContaining("not by this host (host-a)");
      assertThat(client.vm("owned-elsewhere").pid()).isEmpty();
    }
  }
}
