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
}
