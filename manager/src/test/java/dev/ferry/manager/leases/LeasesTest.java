package dev.ferry.manager.leases;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.Lease;
import dev.ferry.api.VmState;
import dev.ferry.common.ByteSize;
import dev.ferry.manager.store.Database;
import dev.ferry.manager.store.EventLog;
import dev.ferry.manager.store.VmStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lease ledger on a real SQLite inventory: what it grants, moves, refuses and records. */
class LeasesTest {
  @TempDir Path dir;
  private Leases leases;
  private EventLog events;

  @BeforeEach
  void open() {
    Database db = Database.open("sqlite:" + dir.resolve("inventory.db"));
    events = new EventLog(db, Clock.systemUTC());
    leases = new Leases(new VmStore(db), events, Clock.systemUTC());
    assertThat(leases.grant(web("host-a", 1), LeaseCause.VM_CREATED))
        .isInstanceOf(LeaseDecision.Granted.class);
  }

  private static Leases.Grant web(String host, long epoch) {
    return new Leases.Grant("web", host, epoch, VmState.RUNNING, 2, ByteSize.ofMiB(512), Set.of());
  }

  @Test
  void aTransferFromAHostOrEpochThatDoesNotHoldTheLeaseIsRefusedWithTheLeaseAsItIs() {
    LeaseDecision wrongHost =
        leases.transfer("web", "host-c", "host-b", 1, LeaseCause.HANDOVER, "m-1");
    LeaseDecision staleEpoch =
        leases.transfer("web", "host-a", "host-b", 0, LeaseCause.HANDOVER, "m-1");

    for (LeaseDecision d : new LeaseDecision[] {wrongHost, staleEpoch}) {
      assertThat(d).isInstanceOf(LeaseDecision.Conflict.class);
      Lease current = ((LeaseDecision.Conflict) d).current();
      assertThat(current.host()).isEqualTo("host-a");
      assertThat(current.epoch()).isEqualTo(1);
    }
    assertThat(leases.current("web").orElseThrow().host()).isEqualTo("host-a");
    assertThat(events.recent(10))
        .filteredOn(e -> e.kind().equals("lease-refused"))
        .hasSize(2)
        .allSatisfy(e -> assertThat(e.message()).contains("host-a holds it at epoch 1"));
  }

  @Test
  void aTransferMovesTheLeaseOnceAndARepeatAnswersTheMovedLease() {
    LeaseDecision first = leases.transfer("web", "host-a", "host-b", 1, LeaseCause.HANDOVER, "m-1");
    LeaseDecision again =
        leases.transfer("web", "host-a", "host-b", 1, LeaseCause.MIGRATION_COMPLETED, "cm-1");

    assertThat(first).isInstanceOf(LeaseDecision.Transferred.class);
    assertThat(((LeaseDecision.Transferred) first).now()).isTrue();
    assertThat(((LeaseDecision.Transferred) first).lease().host()).isEqualTo("host-b");
    assertThat(((LeaseDecision.Transferred) first).lease().epoch()).isEqualTo(2);
    assertThat(again).isInstanceOf(LeaseDecision.Transferred.class);
    assertThat(((LeaseDecision.Transferred) again).now()).as("already moved").isFalse();
    assertThat(events.recent(10)).filteredOn(e -> e.kind().equals("lease-moved")).hasSize(1);
    assertThat(leases.transfer("ghost", "host-a", "host-b", 1, LeaseCause.HANDOVER, "m-2"))
        .isEqualTo(new LeaseDecision.Unknown("ghost"));
  }

  @Test
  void aSecondGrantIsRefusedAndAWithdrawnLeaseIsGone() {
    assertThat(leases.grant(web("host-b", 5), LeaseCause.ADOPTED))
        .as("adopting a VM the inventory knows")
        .isInstanceOfSatisfying(
            LeaseDecision.Conflict.class, c -> assertThat(c.current().host()).isEqualTo("host-a"));

    assertThat(leases.withdraw("web", LeaseCause.VANISHED, "host-a no longer lists it"))
        .isInstanceOfSatisfying(
            LeaseDecision.Withdrawn.class, w -> assertThat(w.last().epoch()).isEqualTo(1));
    assertThat(leases.current("web")).isEmpty();
    assertThat(leases.withdraw("web", LeaseCause.VANISHED, "again"))
        .isEqualTo(new LeaseDecision.Unknown("web"));
    assertThat(events.recent(10).stream().map(EventLog.Event::kind))
        .contains("lease-granted", "lease-withdrawn");
  }

  @Test
  void aMovedLeaseIsPendingUntilActivatedAndOnceActivatedCannotBeReclaimed() {
    leases.transfer("web", "host-a", "host-b", 1, LeaseCause.HANDOVER, "m-1");
    Lease pending = leases.current("web").orElseThrow();
    assertThat(pending.active()).isFalse();
    assertThat(pending.pendingFrom()).contains("host-a");
    assertThat(leases.activate("web", "host-b", 1, "m-1"))
        .as("a stale epoch")
        .isInstanceOf(LeaseDecision.Conflict.class);
    assertThat(leases.activate("web", "host-c", 2, "m-1"))
        .as("another host")
        .isInstanceOf(LeaseDecision.Conflict.class);

    assertThat(leases.activate("web", "host-b", 2, "m-1"))
        .isInstanceOfSatisfying(
            LeaseDecision.Activated.class,
            a -> {
              assertThat(a.now()).isTrue();
              assertThat(a.lease().activeAt("host-b", 2)).isTrue();
            });
    assertThat(leases.activate("web", "host-b", 2, "m-1"))
        .as("a retried activation")
        .isInstanceOfSatisfying(LeaseDecision.Activated.class, a -> assertThat(a.now()).isFalse());
    assertThat(leases.reclaim("web", "host-a", "host-b", 1, "m-1"))
        .as("the destination runs it")
        .isInstanceOfSatisfying(
            LeaseDecision.Conflict.class,
            c -> assertThat(c.current().activeAt("host-b", 2)).isTrue());
    assertThat(leases.current("web").orElseThrow().activeAt("host-b", 2)).isTrue();
  }

  @Test
  void aReclaimedLeaseIsTheSourcesAtANewEpochAndTheDestinationCanNoLongerActivateIt() {
    leases.transfer("web", "host-a", "host-b", 1, LeaseCause.HANDOVER, "m-1");

    assertThat(leases.reclaim("web", "host-a", "host-b", 1, "m-1"))
        .isInstanceOfSatisfying(
            LeaseDecision.Reclaimed.class,
            r -> {
              assertThat(r.now()).isTrue();
              assertThat(r.lease().activeAt("host-a", 3)).isTrue();
            });
    assertThat(leases.reclaim("web", "host-a", "host-b", 1, "m-1"))
        .as("a retried reclaim")
        .isInstanceOfSatisfying(LeaseDecision.Reclaimed.class, r -> assertThat(r.now()).isFalse());
    assertThat(leases.activate("web", "host-b", 2, "m-1"))
        .as("the destination comes too late")
        .isInstanceOfSatisfying(
            LeaseDecision.Conflict.class,
            c -> assertThat(c.current().activeAt("host-a", 3)).isTrue());
    assertThat(leases.transfer("web", "host-a", "host-b", 1, LeaseCause.HANDOVER, "m-1"))
        .as("the old transfer replayed")
        .isInstanceOf(LeaseDecision.Conflict.class);
    assertThat(events.recent(20).stream().map(EventLog.Event::kind))
        .contains("lease-moved", "lease-reclaimed", "lease-refused");
  }

  @Test
  void aReclaimOfAMoveThatNeverHappenedLeavesTheLeaseWithTheSource() {
    assertThat(leases.reclaim("web", "host-a", "host-b", 1, "m-1"))
        .as("the transfer's reply was lost before it arrived")
        .isInstanceOfSatisfying(
            LeaseDecision.Reclaimed.class,
            r -> {
              assertThat(r.now()).isFalse();
              assertThat(r.lease().activeAt("host-a", 1)).isTrue();
            });
    assertThat(leases.reclaim("web", "host-c", "host-b", 1, "m-1"))
        .as("a host that never held it")
        .isInstanceOf(LeaseDecision.Conflict.class);
    assertThat(leases.reclaim("ghost", "host-a", "host-b", 1, "m-1"))
        .isEqualTo(new LeaseDecision.Unknown("ghost"));
  }

  @Test
  void aDestinationThatCannotResumeTheGuestGivesTheLeaseBackAndTheSourcesReclaimFindsIt() {
    leases.transfer("web", "host-a", "host-b", 1, LeaseCause.HANDOVER, "m-1");
    leases.activate("web", "host-b", 2, "m-1");
    assertThat(leases.giveBack("web", "host-c", "host-a", 2, "m-1"))
        .as("not the holder")
        .isInstanceOf(LeaseDecision.Conflict.class);

    assertThat(leases.giveBack("web", "host-b", "host-a", 2, "m-1"))
        .isInstanceOfSatisfying(
            LeaseDecision.Reclaimed.class,
            r -> assertThat(r.lease().activeAt("host-a", 3)).isTrue());
    assertThat(leases.reclaim("web", "host-a", "host-b", 1, "m-1"))
        .as("the source's reclaim after the failed handover")
        .isInstanceOfSatisfying(
            LeaseDecision.Reclaimed.class,
            r -> assertThat(r.lease().activeAt("host-a", 3)).isTrue());
    assertThat(events.recent(20).stream().map(EventLog.Event::kind)).contains("lease-returned");
  }
}
