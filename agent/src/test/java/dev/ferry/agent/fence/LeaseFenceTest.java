package dev.ferry.agent.fence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.agent.cluster.ManagerLink;
import dev.ferry.agent.events.EventBus;
import dev.ferry.api.AgentEvent;
import dev.ferry.api.ApiError;
import dev.ferry.api.ClusterVm;
import dev.ferry.api.Lease;
import dev.ferry.api.LeaseTransfer;
import dev.ferry.api.ManagerBinding;
import dev.ferry.api.VmInfo;
import dev.ferry.api.VmState;
import dev.ferry.common.ByteSize;
import dev.ferry.common.Json;
import dev.ferry.qemu.BootSpec;
import dev.ferry.qemu.VmSpec;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lease fence against a fake manager on a real loopback HTTP socket: what it pauses, kills,
 * reclaims and leaves alone.
 */
class LeaseFenceTest {
  @TempDir Path dir;

  /** The manager's inventory and leases, as the fake serves them. */
  private final Map<String, ClusterVm> inventory = new ConcurrentHashMap<>();

  private final Map<String, Lease> leases = new ConcurrentHashMap<>();
  private volatile boolean reclaimGivesBack = true;
  private final List<String> done = new CopyOnWriteArrayList<>();
  private final Map<String, VmInfo> local = new ConcurrentHashMap<>();
  private final EventBus events = new EventBus(Clock.systemUTC());
  private Javalin manager;
  private ManagerLink link;
  private LeaseFence fence;

  @BeforeEach
  void up() {
    manager =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.jsonMapper(new JavalinJackson(Json.strict(), true));
              var r = config.routes;
              r.get("/v1/vms", ctx -> ctx.json(List.copyOf(inventory.values())));
              r.get("/v1/leases/{vm}", ctx -> ctx.json(leases.get(ctx.pathParam("vm"))));
              r.post(
                  "/v1/leases/{vm}/reclaim",
                  ctx -> {
                    String vm = ctx.pathParam("vm");
                    LeaseTransfer t = ctx.bodyAsClass(LeaseTransfer.class);
                    done.add("reclaim " + vm + " from " + t.to() + " at " + t.epoch());
                    if (!reclaimGivesBack) {
                      // The destination activated it just before the reclaim arrived, and runs it.
                      leases.put(vm, Lease.active(vm, t.to(), t.epoch() + 1, Instant.now()));
                      inventory.put(vm, withState(inventory.get(vm), VmState.RUNNING));
                      ctx.status(409).json(new ApiError(409, "conflict", "activated by " + t.to()));
                      return;
                    }
                    Lease back = Lease.active(vm, t.from(), t.epoch() + 2, Instant.now());
                    leases.put(vm, back);
                    ctx.json(back);
                  });
            });
    manager.start("127.0.0.1", 0);
    link = new ManagerLink("host-a", dir);
    link.bind(new ManagerBinding(Optional.of("http://127.0.0.1:" + manager.port()), "host-a"));
    FencedVms vms =
        new FencedVms() {
          @Override
          public List<VmInfo> list() {
            return List.copyOf(local.values());
          }

          @Override
          public void pause(String name) {
            done.add("pause " + name);
            local.computeIfPresent(name, (n, v) -> with(v, VmState.PAUSED, v.epoch()));
          }

          @Override
          public void kill(String name) {
            done.add("kill " + name);
            local.computeIfPresent(name, (n, v) -> with(v, VmState.STOPPED, v.epoch()));
          }

          @Override
          public void reclaimed(String name, long epoch) {
            done.add("reclaimed " + name + " at " + epoch);
            local.computeIfPresent(name, (n, v) -> with(v, VmState.RUNNING, epoch));
          }
        };
    fence = new LeaseFence("host-a", link, vms, events);
  }

  @AfterEach
  void down() {
    link.close();
    manager.stop();
  }

  private void here(String vm, VmState state, long epoch) {
    local.put(vm, info(vm, state, epoch, Optional.empty()));
  }

  private void held(String vm, String host, long epoch, VmState state, Optional<String> from) {
    inventory.put(
        vm,
        new ClusterVm(
            vm, host, epoch, state, 1, ByteSize.ofMiB(256), Optional.empty(), Instant.now()));
    leases.put(vm, new Lease(vm, host, epoch, Instant.now(), from));
  }

  @Test
  void aVmWhoseLeaseThisHostHoldsIsLeftAlone() {
    here("web", VmState.RUNNING, 3);
    held("web", "host-a", 3, VmState.RUNNING, Optional.empty());
    here("unknown", VmState.RUNNING, 1);
    assertThat(fence.check()).isEmpty();
    assertThat(done).isEmpty();
  }

  @Test
  void aCopyWithoutTheLeaseIsPausedAndKeptWhileTheHolderDoesNotRunIt() {
    here("web", VmState.RUNNING, 3);
    held("web", "host-b", 4, VmState.STOPPED, Optional.empty());
    assertThat(fence.check())
        .singleElement()
        .asString()
        .contains("holder is not confirmed running");
    assertThat(done).containsExactly("pause web");
    assertThat(local.get("web").state()).isEqualTo(VmState.PAUSED);
    assertThat(events.since(0))
        .anyMatch(
            e ->
                e.type() == AgentEvent.Type.VM_FENCED
                    && e.message().contains("leases it to host-b at epoch 4"));

    inventory.put("web", withState(inventory.get("web"), VmState.RUNNING));
    assertThat(fence.check()).singleElement().asString().contains("killed (host-b runs it)");
    assertThat(done).containsExactly("pause web", "kill web");
  }

  @Test
  void aCopyAtAStaleEpochOnThisHostIsFencedToo() {
    here("web", VmState.RUNNING, 3);
    held("web", "host-a", 5, VmState.RUNNING, Optional.empty());
    fence.check();
    assertThat(done).containsExactly("pause web", "kill web");
  }

  @Test
  void aPausedGuestWhoseHandoverFromHereWasLeftUnsettledIsReclaimedAndResumed() {
    here("web", VmState.PAUSED, 3);
    held("web", "host-b", 4, VmState.STOPPED, Optional.of("host-a"));
    assertThat(fence.check()).singleElement().asString().contains("back here at epoch 5");
    assertThat(done).containsExactly("reclaim web from host-b at 3", "reclaimed web at 5");
    assertThat(local.get("web").state()).isEqualTo(VmState.RUNNING);
  }

  @Test
  void anUnsettledHandoverTheDestinationActivatedMeanwhileIsFencedHere() {
    reclaimGivesBack = false;
    here("web", VmState.PAUSED, 3);
    held("web", "host-b", 4, VmState.STOPPED, Optional.of("host-a"));
    fence.check();
    assertThat(done).as("never resumed").containsExactly("reclaim web from host-b at 3");
    // The next round sees the lease settled on host-b, which runs it: the copy here goes.
    fence.check();
    assertThat(done).containsExactly("reclaim web from host-b at 3", "kill web");
    assertThat(local.get("web").state()).isEqualTo(VmState.STOPPED);
  }

  @Test
  void aVmInAMigrationIsLeftToTheMigration() {
    local.put("web", info("web", VmState.PAUSED, 3, Optional.of("m-1")));
    held("web", "host-b", 4, VmState.STOPPED, Optional.of("host-a"));
    assertThat(fence.check()).isEmpty();
    assertThat(done).isEmpty();
  }

  @Test
  void aManagerThatDoesNotAnswerChangesNothing() {
    here("web", VmState.RUNNING, 3);
    held("web", "host-b", 4, VmState.RUNNING, Optional.empty());
    manager.stop();
    assertThat(fence.check()).isEmpty();
    assertThat(done).isEmpty();
  }

  private static ClusterVm withState(ClusterVm v, VmState state) {
    return new ClusterVm(
        v.name(), v.host(), v.epoch(), state, v.vcpus(), v.memory(), v.migration(), v.seen());
  }

  private static VmInfo with(VmInfo v, VmState state, long epoch) {
    return new VmInfo(
        v.spec(),
        state,
        v.pid(),
        v.accelerator(),
        Instant.now(),
        v.lastError(),
        v.owner(),
        epoch,
        v.migration());
  }

  private static VmInfo info(String name, VmState state, long epoch, Optional<String> migration) {
    return new VmInfo(
        new VmSpec(
            name,
            UUID.nameUUIDFromBytes(name.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
            1,
            ByteSize.ofMiB(256),
            "pc-i440fx-7.2",
            "qemu64",
            new BootSpec.Kernel(Path.of("/var/cache/vmlinuz"), Optional.empty(), "console=ttyS0"),
            List.of(),
            List.of()),
        state,
        OptionalLong.of(42),
        Optional.empty(),
        Instant.now(),
        Optional.empty(),
        "host-a",
        epoch,
        migration);
  }
}
