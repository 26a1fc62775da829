package dev.ferry.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad requests get a 4xx whose message names the problem, and change nothing: a real agent (real
 * QEMU binary probed, TCG) on loopback, raw HTTP so malformed bodies can be sent.
 */
@Timeout(120)
class AgentBadInputTest {
  @TempDir static Path dir;
  private static Agent agent;
  private static HttpClient http;
  private static URI base;
  private static Path image;

  @BeforeAll
  static void start() throws IOException {
    Path storage = Files.createDirectories(dir.resolve("images"));
    image = Files.write(storage.resolve("disk.raw"), new byte[1 << 20]);
    Files.write(dir.resolve("outside.raw"), new byte[1 << 20]);
    Files.createSymbolicLink(storage.resolve("escape.raw"), dir.resolve("outside.raw"));
    agent = TestAgents.onLoopback(dir, storage);
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    base = URI.create("http://127.0.0.1:" + agent.tcpPort());
  }

  @AfterAll
  static void stop() {
    if (agent != null) {
      agent.close();
    }
  }

  private static HttpResponse<String> send(String method, String path, String body)
      throws Exception {
    return send(method, path, "application/json", body);
  }

  private static HttpResponse<String> send(
      String method, String path, String contentType, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", contentType)
            .header(
                "Authorization",
                "Bearer " + Files.readString(dir.resolve("state/admin.token")).strip());
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String vm(String name, String memory, String extra) {
    return "{\"name\":\"" + name + "\",\"memory\":\"" + memory + "\"" + extra + "}";
  }

  private static void assertRefused(HttpResponse<String> r, int status, String... phrases) {
    assertThat(r.statusCode()).as("status of %s", r.body()).isEqualTo(status);
    assertThat(r.body()).contains("\"status\":" + status);
    for (String p : phrases) {
      assertThat(r.body()).contains(p);
    }
  }

  private static void assertNothingCreated() throws Exception {
    HttpResponse<String> list = send("GET", "/v1/vms", null);
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.body()).doesNotContain("bad");
    try (Stream<Path> records = Files.list(dir.resolve("state/vms"))) {
      assertThat(records.map(p -> p.getFileName().toString())).allMatch(n -> n.startsWith("good"));
    }
  }

  @Test
  void hostFactsNameTheAcceleratorAndQemu() throws Exception {
    HttpResponse<String> r = send("GET", "/v1/host", null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("\"hostname\":\"test-host\"")
        .contains("\"accelerator\":\"tcg\"")
        .contains("\"migrationCapabilities\"")
        .contains("postcopy-ram");
  }

  @Test
  void eventStreamReportsCreationAndDeletion() throws Exception {
    java.util.concurrent.LinkedBlockingQueue<dev.ferry.api.AgentEvent> seen =
        new java.util.concurrent.LinkedBlockingQueue<>();
    try (dev.ferry.api.AgentClient client =
        new dev.ferry.api.AgentClient(
            new dev.ferry.api.AgentEndpoint.Unix(dir.resolve("agent.sock")))) {
      Thread follower = Thread.ofVirtual().start(() -> client.followEvents(0, seen::add));
      String body = vm("good-events", "128M", ",\"disks\":[{\"path\":\"" + image + "\"}]");
      assertThat(send("POST", "/v1/vms", body).statusCode()).isEqualTo(201);
      assertThat(send("DELETE", "/v1/vms/good-events", null).statusCode()).isEqualTo(204);
      java.util.List<String> kinds = new java.util.ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!kinds.contains("vm_deleted good-events") && System.nanoTime() < deadline) {
        dev.ferry.api.AgentEvent e = seen.poll(1, java.util.concurrent.TimeUnit.SECONDS);
        if (e != null) {
          kinds.add(e.type().text() + e.vm().map(v -> " " + v).orElse(""));
        }
      }
      follower.interrupt();
      assertThat(kinds)
          .as("events seen")
          .contains("agent_started", "vm_created good-events", "vm_deleted good-events");
    }
  }

  @Test
  void unknownVmIsNotFound() throws Exception {
    assertRefused(send("GET", "/v1/vms/nope", null), 404, "no VM named 'nope'");
    assertRefused(send("POST", "/v1/vms/nope/start", null), 404, "no VM named 'nope'");
    assertRefused(send("DELETE", "/v1/vms/nope", null), 404, "no VM named 'nope'");
  }

  @Test
  void unknownEndpointIsNotFound() throws Exception {
    assertRefused(send("GET", "/v1/nothing-here", null), 404, "no such endpoint");
  }

  @Test
  void aKnownPathWithAnotherMethodIsNotAllowed() throws Exception {
    assertRefused(send("PUT", "/v1/vms", null), 405, "method_not_allowed", "PUT /v1/vms");
  }

  @Test
  void aBodyThatIsNotJsonIsRefused() throws Exception {
    assertRefused(
        send("POST", "/v1/vms", "text/plain", vm("bad-text-body", "128M", "")),
        415,
        "must be application/json");
    assertNothingCreated();
  }

  @Test
  void badQueryParametersNameTheParameterAndTheValue() throws Exception {
    assertRefused(
        send("POST", "/v1/vms/nope/stop?force=maybe", null),
        400,
        "force=maybe is not true or false");
    assertRefused(
        send("POST", "/v1/vms/nope/stop?timeout=601s", null),
        400,
        "timeout=601s is out of range 0..600s");
    assertRefused(
        send("GET", "/v1/vms/nope/console?bytes=many", null), 400, "bytes=many is not a number");
  }

  @Test
  void zeroOrAbsurdMemoryIsRefused() throws Exception {
    assertRefused(send("POST", "/v1/vms", vm("bad-zero", "0", "")), 400, "below the minimum");
    assertRefused(
        send("POST", "/v1/vms", vm("bad-huge", "64T", "")),
        400,
        "exceeds this host's physical memory");
    assertRefused(send("POST", "/v1/vms", vm("bad-text", "lots", "")), 400, "not a size: 'lots'");
    assertNothingCreated();
  }

  @Test
  void malformedJsonAndUnknownFieldsAreRefused() throws Exception {
    assertRefused(send("POST", "/v1/vms", "{\"name\": \"bad-json\", "), 400, "malformed JSON");
    assertRefused(
        send("POST", "/v1/vms", vm("bad-field", "128M", ",\"memroy\":1")),
        400,
        "unknown field 'memroy'");
    assertRefused(send("POST", "/v1/vms", ""), 400, "request body is empty");
    assertRefused(
        send("POST", "/v1/vms", vm("bad-vcpus", "128M", ",\"vcpus\":\"two\"")), 400, "vcpus");
    assertNothingCreated();
  }

  @Test
  void invalidNamesAreRefused() throws Exception {
    assertRefused(
        send("POST", "/v1/vms", vm("Bad Name", "128M", "")), 400, "VM name 'Bad Name' is invalid");
    assertRefused(send("POST", "/v1/vms", vm("../etc", "128M", "")), 400, "is invalid");
    assertNothingCreated();
  }

  @Test
  void pathsOutsideTheStorageRootAreRefused() throws Exception {
    assertRefused(
        send("POST", "/v1/vms", vm("bad-disk", "128M", ",\"disks\":[{\"path\":\"/etc/passwd\"}]")),
        400,
        "outside this agent's storage roots");
    String dotdot = image.getParent() + "/../outside.raw";
    assertRefused(
        send(
            "POST",
            "/v1/vms",
            vm("bad-dots", "128M", ",\"disks\":[{\"path\":\"" + dotdot + "\"}]")),
        400,
        "outside this agent's storage roots");
    String link = image.getParent().resolve("escape.raw").toString();
    assertRefused(
        send("POST", "/v1/vms", vm("bad-link", "128M", ",\"disks\":[{\"path\":\"" + link + "\"}]")),
        400,
        "outside this agent's storage roots");
    assertRefused(
        send(
            "POST",
            "/v1/vms",
            vm(
                "bad-missing",
                "128M",
                ",\"disks\":[{\"path\":\"" + image.getParent() + "/none.qcow2\"}]")),
        400,
        "does not exist");
    assertRefused(
        send("POST", "/v1/vms", vm("bad-kernel", "128M", ",\"kernel\":\"/boot/vmlinuz\"")),
        400,
        "kernel '/boot/vmlinuz' is outside");
    assertNothingCreated();
  }

  @Test
  void missingBridgeAndUnknownMachineAreRefused() throws Exception {
    assertRefused(
        send(
            "POST",
            "/v1/vms",
            vm(
                "bad-nic",
                "128M",
                ",\"disks\":[{\"path\":\"" + image + "\"}],\"nics\":[{\"bridge\":\"nobr0\"}]")),
        400,
        "bridge 'nobr0' does not exist");
    assertRefused(
        send(
            "POST",
            "/v1/vms",
            vm(
                "bad-machine",
                "128M",
                ",\"machine\":\"vax\",\"disks\":[{\"path\":\"" + image + "\"}]")),
        400,
        "machine type 'vax' is unknown");
    assertRefused(
        send(
            "POST",
            "/v1/vms",
            vm(
                "bad-format",
                "128M",
                ",\"disks\":[{\"path\":\"" + image + "\",\"format\":\"qcow2\"}]")),
        400,
        "is raw, not qcow2");
    assertNothingCreated();
  }

  @Test
  void aQcow2ImageNamingABackingFileIsRefusedNamingIt() throws Exception {
    Path storage = image.getParent();
    Path secret = Files.writeString(dir.resolve("host-secret"), "root's data");
    Path outside = storage.resolve("outside-backing.qcow2");
    Path inside = storage.resolve("inside-backing.qcow2");
    Path base = storage.resolve("base.qcow2");
    qemuImg("create", "-f", "qcow2", base.toString(), "1M");
    qemuImg(
        "create", "-f", "qcow2", "-F", "raw", "-b", secret.toString(), outside.toString(), "1M");
    qemuImg("create", "-f", "qcow2", "-F", "qcow2", "-b", "base.qcow2", inside.toString(), "1M");
    for (String format : new String[] {"", ",\"format\":\"qcow2\""}) {
      assertRefused(
          send(
              "POST",
              "/v1/vms",
              vm(
                  "bad-backing",
                  "128M",
                  ",\"disks\":[{\"path\":\"" + outside + "\"" + format + "}]")),
          400,
          "names the backing file '" + secret + "'",
          "outside this agent's storage roots");
    }
    assertRefused(
        send(
            "POST",
            "/v1/vms",
            vm("bad-backing", "128M", ",\"disks\":[{\"path\":\"" + inside + "\"}]")),
        400,
        "backing chains are not supported");
    assertNothingCreated();
  }

  private static void qemuImg(String... args) throws Exception {
    var command = new java.util.ArrayList<String>(List.of("qemu-img"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as("qemu-img %s: %s", List.of(args), out).isZero();
  }

  @Test
  void duplicateNameIsAConflictAndKeepsTheFirst() throws Exception {
    String body = vm("good-dup", "128M", ",\"disks\":[{\"path\":\"" + image + "\"}]");
    HttpResponse<String> first = send("POST", "/v1/vms", body);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
    assertThat(first.body()).contains("\"machine\":\"pc-i440fx-").contains("\"state\":\"stopped\"");
    assertRefused(send("POST", "/v1/vms", vm("good-dup", "256M", "")), 409, "already exists");
    HttpResponse<String> kept = send("GET", "/v1/vms/good-dup", null);
    assertThat(kept.body()).contains("\"memory\":134217728");
    assertRefused(send("POST", "/v1/vms/good-dup/pause", null), 409, "it is stopped");
    assertRefused(send("POST", "/v1/vms/good-dup/stop?timeout=soon", null), 400, "timeout=soon");
    assertThat(send("DELETE", "/v1/vms/good-dup", null).statusCode()).isEqualTo(204);
    assertRefused(send("GET", "/v1/vms/good-dup", null), 404, "no VM named");
  }
}
