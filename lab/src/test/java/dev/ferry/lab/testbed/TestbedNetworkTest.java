package dev.ferry.lab.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Real namespaces, as root: the network a testbed builds, its isolation, faults, and down. */
@Timeout(90)
class TestbedNetworkTest {
  private static final Logger log = LoggerFactory.getLogger(TestbedNetworkTest.class);
  private static final Pattern RTT = Pattern.compile("time=([0-9.]+) ms");

  @TempDir Path dir;
  private TestWorld world;

  @BeforeAll
  static void namespacesWork() {
    TestWorld.requireWorkingNetns();
  }

  @BeforeEach
  void newWorld() {
    world = new TestWorld(dir);
  }

  @AfterEach
  void tearDown() {
    world.down();
  }

  @Test
  void twoHostsAndTheClientReachEachOtherAndNothingElse() {
    Set<String> rootBefore = TestWorld.rootInterfaces();

    long started = System.nanoTime();
    Testbed tb = Testbed.up(world.spec());
    log.info("up of 2 hosts took {} ms", (System.nanoTime() - started) / 1_000_000);

    String a = tb.host("host-a").address();
    String b = tb.host("host-b").address();
    assertThat(a).isEqualTo("198.18." + world.subnetIndex + ".10");
    assertThat(b).isEqualTo("198.18." + world.subnetIndex + ".11");
    assertThat(tb.clientAddress()).isEqualTo("198.18." + world.subnetIndex + ".2");
    assertThat(ping(tb, tb.clientNamespace(), a)).as("client -> host-a").isTrue();
    assertThat(ping(tb, tb.clientNamespace(), b)).as("client -> host-b").isTrue();
    assertThat(ping(tb, tb.host("host-a").namespace(), b)).as("host-a -> host-b").isTrue();
    assertThat(ping(tb, tb.host("host-b").namespace(), tb.clientAddress()))
        .as("host-b -> client")
        .isTrue();

    assertThat(tb.namespaces())
        .containsExactlyInAnyOrder(
            world.name + "-fabric",
            world.name + "-host-a",
            world.name + "-host-b",
            world.name + "-client");
    for (String ns : tb.namespaces()) {
      ExecResult routes = Cmd.check("default route", Netns.ip(ns, "route", "show", "default"));
      assertThat(routes.stdout()).as("default route in %s", ns).isBlank();
      ExecResult out = Cmd.run(Cmd.DEFAULT_TIMEOUT, Netns.ip(ns, "route", "get", "198.19.255.1"));
      assertThat(out.ok()).as("a route out of %s: %s", ns, out.stdout()).isFalse();
    }
    assertThat(links(tb.host("host-a").namespace(), "br0")).containsExactly("uplink");
    assertThat(links(tb.fabricNamespace(), "fabric"))
        .containsExactlyInAnyOrder("host-a", "host-b", "client");
    assertThat(TestWorld.rootInterfaces()).isEqualTo(rootBefore);
    assertThat(Cmd.check("root addresses", List.of("ip", "-4", "-o", "addr", "show")).stdout())
        .doesNotContain("198.18.");

    HostPlan planA = tb.host("host-a").plan();
    assertThat(planA.sharedDir()).isDirectory().isEqualTo(tb.host("host-b").plan().sharedDir());
    assertThat(planA.localDir()).isDirectory();
    assertThat(planA.stateDir()).isDirectory();
    assertThat(tb.stateFile()).isRegularFile();
    Testbed loaded = Testbed.load(world.name, world.stateRoot);
    assertThat(loaded.hosts()).isEqualTo(tb.hosts());
    assertThat(loaded.createdAt()).isEqualTo(tb.createdAt());

    started = System.nanoTime();
    tb.down();
    log.info("down of 2 hosts took {} ms", (System.nanoTime() - started) / 1_000_000);

    assertThat(world.namespaces()).isEmpty();
    assertThat(world.stateRoot.resolve(world.name)).doesNotExist();
    assertThat(world.dataRoot.resolve(world.name)).doesNotExist();
    assertThat(TestWorld.rootInterfaces()).isEqualTo(rootBefore);

    started = System.nanoTime();
    world.down();
    log.info("second down took {} ms", (System.nanoTime() - started) / 1_000_000);
    assertThat(world.namespaces()).isEmpty();
    assertThatThrownBy(() -> Testbed.load(world.name, world.stateRoot))
        .isInstanceOf(TestbedException.class)
        .hasMessageContaining("no state file");
  }

  @Test
  void aCutHostIsUnreachableUntilRestored() {
    Testbed tb = Testbed.up(world.spec());
    String client = tb.clientNamespace();
    String a = tb.host("host-a").address();
    String b = tb.host("host-b").address();
    assertThat(ping(tb, client, a)).as("before the cut").isTrue();

    tb.cutHost("host-a");

    assertThat(ping(tb, client, a)).as("client -> cut host-a").isFalse();
    assertThat(ping(tb, tb.host("host-b").namespace(), a)).as("host-b -> cut host-a").isFalse();
    assertThat(ping(tb, client, b)).as("client -> host-b, not cut").isTrue();

    long started = System.nanoTime();
    tb.restoreHost("host-a");
    log.info("restoreHost took {} ms", (System.nanoTime() - started) / 1_000_000);

    assertThat(ping(tb, client, a)).as("client -> host-a, restored").isTrue();
  }

  /**
   * One test for both kinds of kernel, so that neither outcome is a skip: with netem the delay must
   * show in the round trip; without it, netem() must refuse with a clear message.
   */
  @Test
  void netemDelaysALinkOrSaysTheKernelLacksIt() {
    Testbed tb = Testbed.up(world.spec());
    if (!kernelHasNetem()) {
      assertThatThrownBy(() -> tb.netem("host-a", Duration.ofMillis(40), 1))
          .isInstanceOf(TestbedException.class)
          .hasMessageContaining("this kernel has no 'netem' queueing discipline");
      tb.clearImpairment("host-a");
      return;
    }
    String client = tb.clientNamespace();
    String a = tb.host("host-a").address();
    ping(tb, client, a); // warms the ARP cache so that it does not count

    tb.netem("host-a", Duration.ofMillis(40), 0);
    double impaired = rttMillis(tb, client, a);
    tb.clearImpairment("host-a");
    tb.clearImpairment("host-a");
    double cleared = rttMillis(tb, client, a);

    assertThat(impaired).as("rtt with 40 ms each way: %s ms", impaired).isGreaterThanOrEqualTo(80);
    assertThat(cleared).as("rtt after clearing: %s ms", cleared).isLessThan(40);
  }

  @Test
  void limitRateCapsTheThroughputOfAHostLinkUntilCleared() throws Exception {
    Testbed tb = Testbed.up(world.spec().withHosts(1));
    DataRate cap = DataRate.ofMiBPerSecond(2);
    ByteSize payload = ByteSize.ofMiB(4);

    tb.limitRate("host-a", cap);
    Duration limited = transfer(tb, payload);
    tb.clearImpairment("host-a");
    Duration free = transfer(tb, payload);
    log.info(
        "{} over a link capped at {}: {} ms; uncapped: {} ms",
        payload,
        cap,
        limited.toMillis(),
        free.toMillis());

    assertThat(DataRate.of(payload, limited))
        .as("capped at %s: %s in %s ms", cap, payload, limited.toMillis())
        .isLessThan(DataRate.ofMiBPerSecond(3));
    assertThat(DataRate.of(payload, free))
        .as("uncapped: %s in %s ms", payload, free.toMillis())
        .isGreaterThan(DataRate.ofMiBPerSecond(8));
  }

  @Test
  void execAndStartInRunInsideTheTestbedOnly() throws Exception {
    Testbed tb = Testbed.up(world.spec().withHosts(1));
    String ns = tb.host("host-a").namespace();

    ExecResult addr = tb.exec(ns, "ip", "-4", "-o", "addr", "show", "dev", "br0");
    assertThat(addr.stdout()).contains(tb.host("host-a").plan().cidr());
    ExecResult slow = tb.exec(ns, Duration.ofMillis(300), List.of("sleep", "30"));
    assertThat(slow.timedOut()).isTrue();
    assertThatThrownBy(() -> tb.exec("some-other-ns", "true"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a namespace of testbed " + world.name);

    Process sleeper = tb.startIn(tb.clientNamespace(), "sleep", "600");
    await("sleeper in the client namespace")
        .atMost(Duration.ofSeconds(5))
        .until(() -> identify(sleeper.pid()).equals(tb.clientNamespace()));

    tb.down();

    assertThat(sleeper.waitFor(5, java.util.concurrent.TimeUnit.SECONDS))
        .as("down stopped the process in the client namespace")
        .isTrue();
  }

  @Test
  void upRefusesAnExistingTestbedAndLeavesItAlone() {
    String squatter = world.name + "-host-a";
    Netns.add(squatter);

    assertThatThrownBy(() -> Testbed.up(world.spec()))
        .isInstanceOfSatisfying(
            TestbedException.class,
            e -> {
              assertThat(e.step()).isEqualTo("check for an existing testbed");
              assertThat(e.getMessage()).contains(squatter, "already exists");
            });
    assertThat(world.namespaces()).containsExactly(squatter);
    assertThat(Files.exists(world.stateRoot.resolve(world.name))).isFalse();
  }

  /** Sends {@code size} bytes from the client to host-a over TCP; returns how long it took. */
  private static Duration transfer(Testbed tb, ByteSize size) throws Exception {
    String a = tb.host("host-a").address();
    int port = 5001;
    Process receiver =
        tb.startIn(
            tb.host("host-a").namespace(), "busybox", "nc", "-l", "-p", Integer.toString(port));
    Process sender = null;
    try {
      await("receiver listening")
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  tb.exec(tb.host("host-a").namespace(), "ss", "-ltn")
                      .stdout()
                      .contains(":" + port + " "));
      sender = tb.startIn(tb.clientNamespace(), "busybox", "nc", a, Integer.toString(port));
      long started = System.nanoTime();
      Process out = sender;
      Thread writer =
          Thread.ofVirtual()
              .start(
                  () -> {
                    byte[] chunk = new byte[64 * 1024];
                    try (var in = out.getOutputStream()) {
                      for (long sent = 0; sent < size.bytes(); sent += chunk.length) {
                        in.write(chunk);
                      }
                    } catch (java.io.IOException e) {
                      // The receiver went away; the byte count below tells.
                    }
                  });
      long received = 0;
      byte[] buffer = new byte[64 * 1024];
      try (var in = receiver.getInputStream()) {
        for (int n; received < size.bytes() && (n = in.read(buffer)) >= 0; ) {
          received += n;
        }
      }
      Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
      writer.join(Duration.ofSeconds(5));
      assertThat(received).as("bytes received").isEqualTo(size.bytes());
      return elapsed;
    } finally {
      receiver.destroyForcibly().waitFor();
      if (sender != null) {
        sender.destroyForcibly().waitFor();
      }
    }
  }

  private static boolean kernelHasNetem() {
    try {
      return new String(
              new java.util.zip.GZIPInputStream(Files.newInputStream(Path.of("/proc/config.gz")))
                  .readAllBytes(),
              java.nio.charset.StandardCharsets.UTF_8)
          .contains("CONFIG_NET_SCH_NETEM=");
    } catch (java.io.IOException e) {
      return true; // Without the kernel's config, try it and let the test tell.
    }
  }

  @Test
  void aFailedStepNamesItselfAndTheCommandsStderrAndUndoesEverything() throws Exception {
    TestbedSpec spec = world.spec();
    // Squat the fabric-side name of the client's veth as soon as the fabric exists; up() builds
    // the client last, so it then finds the name taken.
    Thread squatter =
        Thread.ofVirtual()
            .start(
                () -> {
                  long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                  while (System.nanoTime() < deadline) {
                    if (Netns.list().contains(spec.fabricNamespace())
                        && Cmd.run(
                                Cmd.DEFAULT_TIMEOUT,
                                Netns.ip(
                                    spec.fabricNamespace(),
                                    "link",
                                    "add",
                                    "client",
                                    "type",
                                    "bridge"))
                            .ok()) {
                      return;
                    }
                  }
                });

    assertThatThrownBy(() -> Testbed.up(spec))
        .isInstanceOfSatisfying(
            CommandFailedException.class,
            e -> {
              assertThat(e.step())
                  .isEqualTo(
                      "create veth eth0@"
                          + spec.clientNamespace()
                          + " <-> client@"
                          + spec.fabricNamespace());
              assertThat(e.stderr()).contains("File exists");
              assertThat(e.getMessage())
                  .contains(e.step(), "`ip link add eth0 netns", "File exists");
            });
    squatter.join(Duration.ofSeconds(5));

    assertThat(world.namespaces()).isEmpty();
    assertThat(spec.stateDir()).doesNotExist();
    assertThat(spec.dataDir()).doesNotExist();
  }

  static boolean ping(Testbed tb, String fromNamespace, String address) {
    return tb.exec(fromNamespace, Cmd.DEFAULT_TIMEOUT, TestWorld.ping("-c1", "-W1", address)).ok();
  }

  private static double rttMillis(Testbed tb, String fromNamespace, String address) {
    ExecResult r =
        tb.exec(fromNamespace, Cmd.DEFAULT_TIMEOUT, TestWorld.ping("-c1", "-W2", address))
            .orThrow("ping " + address);
    Matcher m = RTT.matcher(r.stdout());
    assertThat(m.find()).as("rtt in %s", r.stdout()).isTrue();
    return Double.parseDouble(m.group(1));
  }

  private static List<String> links(String namespace, String master) {
    return Cmd.check("ports", Netns.ip(namespace, "-o", "link", "show", "master", master))
        .stdout()
        .lines()
        .map(l -> l.split(":\\s+", 3)[1].split("@", 2)[0])
        .toList();
  }

  static String identify(long pid) {
    return Cmd.check("identify", List.of("ip", "netns", "identify", Long.toString(pid)))
        .stdout()
        .strip();
  }
}
