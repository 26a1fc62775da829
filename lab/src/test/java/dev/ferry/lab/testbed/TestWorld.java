package dev.ferry.lab.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/** What the namespace tests share: a unique testbed name and subnet, and probes of the system. */
final class TestWorld {
  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

  final String name = "ftb-" + random(4);
  final int subnetIndex = 100 + ThreadLocalRandom.current().nextInt(150);
  final Path stateRoot;
  final Path dataRoot;

  private final Path dir;

  TestWorld(Path dir) {
    this.dir = dir;
    this.stateRoot = dir.resolve("run");
    this.dataRoot = dir.resolve("data");
  }

  TestbedSpec spec() {
    return TestbedSpec.named(name)
        .withSubnetIndex(subnetIndex)
        .withStateRoot(stateRoot)
        .withDataRoot(dataRoot);
  }

  void down() {
    Testbed.down(name, stateRoot, dataRoot);
  }

  /** Starts {@link UpInAnotherJvm} for this world's testbed; "exit" or "crash". */
  Process upInAnotherJvm(String mode) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    return new ProcessBuilder(
            java,
            "-cp",
            System.getProperty("java.class.path"),
            UpInAnotherJvm.class.getName(),
            name,
            Integer.toString(subnetIndex),
            stateRoot.toString(),
            dataRoot.toString(),
            mode)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("jvm-" + mode + ".log").toFile())
        .start();
  }

  /** What the JVMs started by {@link #upInAnotherJvm} printed. */
  String output() throws IOException {
    StringBuilder b = new StringBuilder();
    try (var logs = Files.list(dir)) {
      for (Path f : logs.filter(f -> f.getFileName().toString().startsWith("jvm-")).toList()) {
        b.append(Files.readString(f));
      }
    }
    return b.toString();
  }

  /** The namespaces that exist now and belong to this world's testbed. */
  List<String> namespaces() {
    return Netns.list().stream().filter(ns -> Layout.belongsTo(name, ns)).toList();
  }

  /** Fails the test (it does not skip it) if this machine cannot make network namespaces. */
  static void requireWorkingNetns() {
    String probe = "ftb-probe-" + random(6);
    ExecResult add = Cmd.run(Duration.ofSeconds(10), List.of("ip", "netns", "add", probe));
    Cmd.run(Duration.ofSeconds(10), List.of("ip", "netns", "delete", probe));
    assertThat(add.ok())
        .as(
            "these tests build real network namespaces: they need root and a working `ip netns`"
                + " (iproute2); `ip netns add %s` exited %d: %s",
            probe, add.exitCode(), add.stderr())
        .isTrue();
  }

  /** Interface names in the root namespace. */
  static Set<String> rootInterfaces() {
    return Cmd.check("list root interfaces", List.of("ip", "-o", "link", "show"))
        .stdout()
        .lines()
        .map(l -> l.split(":\\s+", 3)[1].split("@", 2)[0])
        .collect(Collectors.toSet());
  }

  /** {@code ping}, or busybox's where iputils is not installed. */
  static List<String> ping(String... args) {
    boolean iputils =
        java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
            .anyMatch(d -> Files.isExecutable(Path.of(d, "ping")));
    List<String> command =
        new java.util.ArrayList<>(iputils ? List.of("ping") : List.of("busybox", "ping"));
    command.addAll(List.of(args));
    return command;
  }

  static String random(int length) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < length; i++) {
      b.append(ALPHABET.charAt(ThreadLocalRandom.current().nextInt(ALPHABET.length())));
    }
    return b.toString();
  }
}
