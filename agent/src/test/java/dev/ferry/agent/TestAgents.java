package dev.ferry.agent;

import dev.ferry.qemu.AcceleratorChoice;
import dev.ferry.qemu.QemuBinary;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** A real agent for API tests: TCG, a free loopback port, a socket and state under {@code dir}. */
final class TestAgents {
  private TestAgents() {}

  static Agent onLoopback(Path dir, Path storage) {
    return Agent.start(
        new AgentConfig(
            "test-host",
            Optional.of(new InetSocketAddress("127.0.0.1", 0)),
            Optional.of(dir.resolve("agent.sock")),
            dir.resolve("state"),
            List.of(storage),
            AcceleratorChoice.TCG,
            QemuBinary.DEFAULT_PATH,
            Optional.empty(),
            Optional.empty()));
  }
}
