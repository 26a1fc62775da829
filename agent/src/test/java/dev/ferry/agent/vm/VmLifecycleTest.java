package dev.ferry.agent.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.agent.vm.Verdict.Enter;
import dev.ferry.agent.vm.Verdict.Refusal;
import dev.ferry.agent.vm.Verdict.Unchanged;
import dev.ferry.common.ByteSize;
import dev.ferry.qemu.Accelerator;
import dev.ferry.qemu.BootSpec;
import dev.ferry.qemu.RuntimePaths;
import dev.ferry.qemu.VmSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The VM lifecycle, pure: every operation against every kind of state, as one table, then the
 * refusal messages operators and the end-to-end tests read.
 */
class VmLifecycleTest {
  private static final String HERE = "host-a";
  private static final VmLifecycle LIFECYCLE = new VmLifecycle(HERE);
  private static final VmSpec SPEC =
      new VmSpec(
          "web",
          UUID.fromString("6b1c2d3e-0000-4000-8000-000000000001"),
          1,
          ByteSize.ofMiB(64),
          "pc-i440fx-7.2",
          "qemu64",
          new BootSpec.Firmware(),
          List.of(),
          List.of());
  private static final VmRecord OWNED = VmRecord.defined(SPEC, HERE);
  private static final VmRecord RECEIVED = VmRecord.incoming(SPEC, "host-b", 4);

  /** The VM's QEMU in the sample states; {@link #NEW} is one launched or adopted by the op. */
  private static final QemuProcess Q = qemu();

  private static final QemuProcess NEW = qemu();
  private static final QemuProcess STALE = qemu();

  private static final Hold OUT = new Hold.Outgoing("m-out", true);
  private static final Hold IN = new Hold.Incoming("m-in");
  private static final Hold DISK = new Hold.DiskMove("disk move of d0");

  private record Sample(VmStatus status, VmRecord record) {}

  private static final Map<String, Sample> STATES = new LinkedHashMap<>();

  static {
    state("S", new VmPhase.Stopped(), null);
    state("C", new VmPhase.Crashed("boom"), null);
    state("St", new VmPhase.Starting(), null);
    state("R", new VmPhase.Running(Q), null);
    state("P", new VmPhase.Paused(Q), null);
    state("Sp", new VmPhase.Stopping(Q), null);
    state("St+i", new VmPhase.Starting(), IN);
    state("I+i", new VmPhase.Incoming(Q), IN);
    state("R+o", new VmPhase.Running(Q), OUT);
    state("P+o", new VmPhase.Paused(Q), OUT);
    state("R+d", new VmPhase.Running(Q), DISK);
    state("C+o", new VmPhase.Crashed("boom"), OUT);
    state("C+i", new VmPhase.Crashed("boom"), IN);
    state("S+d", new VmPhase.Stopped(), DISK);
  }

  private static void state(String label, VmPhase phase, Hold hold) {
    VmRecord record = hold instanceof Hold.Incoming ? RECEIVED : OWNED;
    STATES.put(label, new Sample(new VmStatus(phase, Optional.ofNullable(hold)), record));
  }

  private static final Map<String, VmOp> OPS = new LinkedHashMap<>();

  static {
    OPS.put("start", new VmOp.Start());
    OPS.put("stop", new VmOp.Stop());
    OPS.put("pause", new VmOp.Pause());
    OPS.put("resume", new VmOp.Resume());
    OPS.put("begin-out", new VmOp.BeginOutgoing("m-2"));
    OPS.put("recover-out", new VmOp.RecoverOutgoing("m-out", true));
    OPS.put("begin-disk", new VmOp.BeginDiskMove("disk move of d1"));
    OPS.put("receive", new VmOp.Receive("m-3"));
    OPS.put("recover-in", new VmOp.RecoverIncoming("recovery"));
    OPS.put("release", new VmOp.Release("m-out"));
    OPS.put("rollback", new VmOp.RollBack("m-out"));
    OPS.put("let-go-out", new VmOp.LetGo("m-out"));
    OPS.put("let-go-disk", new VmOp.LetGo("disk move of d0"));
    OPS.put("take-over", new VmOp.TakeOver("m-in"));
    OPS.put("discard", new VmOp.Discard("m-in"));
    OPS.put("launched", new VmOp.Launched(NEW));
    OPS.put("launch-failed", new VmOp.LaunchFailed("no"));
    OPS.put("adopted", new VmOp.Adopted(NEW, VmOp.Found.RUNNING));
    OPS.put("not-adopted", new VmOp.NotAdopted("gone", true));
    OPS.put("vcpus-stop", new VmOp.Vcpus(Q, false));
    OPS.put("vcpus-run", new VmOp.Vcpus(Q, true));
    OPS.put("ended", new VmOp.Ended(Q));
    OPS.put("died", new VmOp.Died(Q, "boom"));
    OPS.put("died-stale", new VmOp.Died(STALE, "old news"));
  }

  /**
   * Rows: operations; columns: states ({@code S}topped, {@code C}rashed, {@code St}arting, {@code
   * R}unning, {@code P}aused, {@code Sp} stopping, {@code I}ncoming; {@code +o} held by an outgoing
   * migration, {@code +i} by an incoming one, {@code +d} by a disk move). A cell is the state the
   * VM enters ({@code *}: with the QEMU the operation brought), {@code =} for nothing to do, or
   * {@code !} for a refusal.
   */
  private static final String TABLE =
      """
      op            S    C    St   R    P    Sp   St+i I+i  R+o  P+o  R+d  C+o  C+i  S+d
      start         St   St   !    !    !    !    !    !    !    !    !    !    !    !
      stop          =    =    !    Sp   Sp   =    !    !    !    !    !    !    !    !
      pause         !    !    !    P    =    !    !    !    !    !    !    !    !    !
      resume        !    !    !    =    R    !    !    !    !    !    !    !    !    !
      begin-out     !    !    !    R+o  P+o  !    !    !    !    !    !    !    !    !
      recover-out   !    !    !    R+o  P+o  !    !    !    R+o  P+o  !    !    !    !
      begin-disk    !    !    !    R+d  P+d  !    !    !    !    !    !    !    !    !
      receive       St+i !    !    !    !    !    !    !    !    !    !    !    !    !
      recover-in    !    !    !    !    !    !    !    I+i  !    !    !    !    !    !
      release       =    =    =    =    =    =    =    =    Sp   Sp   =    C    =    =
      rollback      =    =    =    =    =    =    =    =    R    R    =    C    =    =
      let-go-out    =    =    =    =    =    =    =    =    R    P    =    C    =    =
      let-go-disk   =    =    =    =    =    =    =    =    =    =    R    =    =    S
      take-over     !    !    !    !    !    !    !    R    !    !    !    !    !    !
      discard       !    !    !    !    !    !    !    Sp   !    !    !    !    C    !
      launched      !    !    R*   !    !    !    I*+i !    !    !    !    !    !    !
      launch-failed !    !    S    !    !    !    S    !    !    !    !    !    !    !
      adopted       R*   !    !    !    !    !    !    !    !    !    !    !    !    !
      not-adopted   C    !    !    !    !    !    !    !    !    !    !    !    !    !
      vcpus-stop    =    =    =    P    =    =    =    =    P+o  =    P+d  =    =    =
      vcpus-run     =    =    =    =    R    =    =    =    =    R+o  =    =    =    =
      ended         =    =    =    S    S    S    =    S+i  S+o  S+o  S+d  =    =    =
      died          =    =    =    C    C    S    =    C+i  C+o  C+o  C+d  =    =    =
      died-stale    =    =    =    =    =    =    =    =    =    =    =    =    =    =
      """;

  @Test
  void everyOperationInEveryStateDecidesAsTheTableSays() {
    List<String> expected = TABLE.lines().map(VmLifecycleTest::normalized).toList();
    List<String> header = List.of(expected.getFirst().split(" "));
    assertThat(header.subList(1, header.size())).containsExactlyElementsOf(STATES.keySet());
    List<String> actual = new ArrayList<>(List.of(expected.getFirst()));
    for (var op : OPS.entrySet()) {
      StringBuilder row = new StringBuilder(op.getKey());
      for (Sample s : STATES.values()) {
        row.append(' ').append(cell(LIFECYCLE.next(s.status(), s.record(), op.getValue())));
      }
      actual.add(row.toString());
    }
    assertThat(actual).containsExactlyElementsOf(expected);
  }

  private static String normalized(String row) {
    return String.join(" ", row.trim().split("\\s+"));
  }

  @Test
  void theTableCoversEveryOperationPhaseAndHold() {
    assertThat(OPS.values().stream().map(VmLifecycleTest::classOf).collect(Collectors.toSet()))
        .containsExactlyInAnyOrderElementsOf(permitted(VmOp.class));
    assertThat(
            STATES.values().stream()
                .map(s -> classOf(s.status().phase()))
                .collect(Collectors.toSet()))
        .containsExactlyInAnyOrderElementsOf(permitted(VmPhase.class));
    assertThat(
            STATES.values().stream()
                .flatMap(s -> s.status().hold().stream())
                .map(VmLifecycleTest::classOf)
                .collect(Collectors.toSet()))
        .containsExactlyInAnyOrderElementsOf(permitted(Hold.class));
  }

  @Test
  void aHeldVmRefusesOperatorsWithTheHoldersId() {
    VmStatus migrating = status("R+o");
    assertThat(refusal(migrating, OWNED, new VmOp.Stop()))
        .isEqualTo("cannot stop VM 'web': it is migrating (m-out); abort the migration first");
    assertThat(refusal(migrating, OWNED, new VmOp.Pause()))
        .isEqualTo("cannot pause VM 'web': it is migrating (m-out); abort the migration first");
    assertThat(refusal(status("R+d"), OWNED, new VmOp.Resume()))
        .isEqualTo(
            "cannot resume VM 'web': one of its disks is moving (disk move of d0); wait for the"
                + " move to end");
    assertThat(refusal(migrating, OWNED, new VmOp.BeginOutgoing("m-2")))
        .isEqualTo("VM 'web' is already migrating (m-out)");
    assertThat(refusal(status("R+d"), OWNED, new VmOp.BeginDiskMove("disk move of d1")))
        .isEqualTo("VM 'web' is busy (disk move of d0); a disk moves one at a time");
  }

  @Test
  void onlyARunningVmOwnedHereMigratesOrMovesADisk() {
    assertThat(refusal(status("S"), OWNED, new VmOp.BeginOutgoing("m-2")))
        .isEqualTo("VM 'web' is stopped; only a running VM can be live-migrated");
    assertThat(refusal(status("C"), OWNED, new VmOp.BeginDiskMove("d")))
        .startsWith("VM 'web' is crashed; a disk moves live only while the VM runs");
    VmRecord elsewhere = OWNED.withOwnership("host-b", 7);
    assertThat(refusal(status("R"), elsewhere, new VmOp.BeginOutgoing("m-2")))
        .isEqualTo(
            "cannot migrate VM 'web': it is owned by host-b (epoch 7), not by this host (host-a)");
    assertThat(refusal(status("P"), elsewhere, new VmOp.BeginDiskMove("d")))
        .startsWith("cannot move a disk of VM 'web': it is owned by host-b (epoch 7)");
  }

  @Test
  void aVmOwnedElsewhereIsNeverStartedOrResumedHere() {
    VmRecord elsewhere = OWNED.withOwnership("host-b", 7);
    assertThat(refusal(status("S"), elsewhere, new VmOp.Start()))
        .isEqualTo(
            "cannot start VM 'web': it is owned by host-b (epoch 7), not by this host (host-a)");
    assertThat(refusal(status("P"), elsewhere, new VmOp.Resume()))
        .startsWith("cannot resume VM 'web': it is owned by host-b (epoch 7)");
    // Rolling back after the ownership moved keeps the guest paused.
    assertThat(LIFECYCLE.next(status("P+o"), elsewhere, new VmOp.RollBack("m-out")))
        .isEqualTo(new Enter(VmStatus.of(new VmPhase.Paused(Q))));
  }

  @Test
  void operatorsAskingTheImpossibleAreToldTheState() {
    assertThat(refusal(status("R"), OWNED, new VmOp.Start()))
        .isEqualTo("VM 'web' is already running");
    assertThat(refusal(status("S"), OWNED, new VmOp.Pause()))
        .isEqualTo("cannot pause VM 'web': it is stopped");
    assertThat(refusal(status("C"), OWNED, new VmOp.Resume()))
        .isEqualTo("cannot resume VM 'web': it is crashed");
    assertThat(refusal(status("S"), OWNED, new VmOp.RecoverOutgoing("m", true)))
        .isEqualTo("VM 'web' has no QEMU to recover");
  }

  @Test
  void anIncomingVmIsTakenOverOrDiscardedOnlyByItsMigration() {
    assertThat(refusal(status("C+i"), RECEIVED, new VmOp.TakeOver("m-in")))
        .isEqualTo("VM 'web': the incoming QEMU is gone; cannot take over");
    assertThat(refusal(status("I+i"), RECEIVED, new VmOp.TakeOver("m-other")))
        .isEqualTo("VM 'web': the incoming QEMU is gone; cannot take over");
    assertThat(refusal(status("I+i"), OWNED, new VmOp.Discard("m-in")))
        .isEqualTo("VM 'web' is owned by this host; an incoming VM only is discarded");
    assertThat(refusal(status("I+i"), RECEIVED, new VmOp.LetGo("m-in")))
        .contains("taken over or discarded");
    assertThat(refusal(status("I+i"), RECEIVED, new VmOp.Start()))
        .isEqualTo("cannot start VM 'web': it is migrating (m-in); abort the migration first");
  }

  @Test
  void holdsCarryWhatTheirEndsNeed() {
    assertThat(LIFECYCLE.next(status("P"), OWNED, new VmOp.BeginOutgoing("m-2")))
        .isEqualTo(
            new Enter(VmStatus.of(new VmPhase.Paused(Q)).holding(new Hold.Outgoing("m-2", false))));
    assertThat(LIFECYCLE.next(status("I+i"), RECEIVED, new VmOp.RecoverIncoming("recovery")))
        .isEqualTo(
            new Enter(
                new VmStatus(new VmPhase.Incoming(Q), Optional.of(new Hold.Incoming("recovery")))));
    assertThat(
            LIFECYCLE.next(VmStatus.STOPPED, RECEIVED, new VmOp.Adopted(NEW, VmOp.Found.INCOMING)))
        .isEqualTo(
            new Enter(
                new VmStatus(
                    new VmPhase.Incoming(NEW),
                    Optional.of(new Hold.Incoming(VmLifecycle.ADOPTED_INCOMING)))));
    assertThat(LIFECYCLE.next(VmStatus.STOPPED, OWNED, new VmOp.NotAdopted("gone", false)))
        .isEqualTo(new Unchanged());
  }

  @Test
  void impossibleCombinationsCannotBeEntered() {
    assertThat(
            Stream.of(
                    (Runnable) () -> new VmStatus(new VmPhase.Stopping(Q), Optional.of(OUT)),
                    () -> new VmStatus(new VmPhase.Incoming(Q), Optional.empty()),
                    () -> new VmStatus(new VmPhase.Running(Q), Optional.of(IN)),
                    () -> new VmStatus(new VmPhase.Starting(), Optional.of(DISK)))
                .filter(VmLifecycleTest::throwsIllegalState)
                .count())
        .isEqualTo(4);
  }

  // ------------------------------------------------------------------ helpers

  private static boolean throwsIllegalState(Runnable r) {
    try {
      r.run();
      return false;
    } catch (IllegalStateException e) {
      return true;
    }
  }

  private static VmStatus status(String label) {
    return STATES.get(label).status();
  }

  private static String refusal(VmStatus status, VmRecord record, VmOp op) {
    Verdict v = LIFECYCLE.next(status, record, op);
    assertThat(v).as("%s in %s", op, status).isInstanceOf(Refusal.class);
    return ((Refusal) v).reason();
  }

  private static String cell(Verdict v) {
    return switch (v) {
      case Refusal r -> "!";
      case Unchanged u -> "=";
      case Enter e -> label(e.next());
    };
  }

  private static String label(VmStatus s) {
    String phase =
        switch (s.phase()) {
          case VmPhase.Stopped p -> "S";
          case VmPhase.Crashed p -> "C";
          case VmPhase.Starting p -> "St";
          case VmPhase.Running p -> "R";
          case VmPhase.Paused p -> "P";
          case VmPhase.Stopping p -> "Sp";
          case VmPhase.Incoming p -> "I";
        };
    String fresh = s.process().filter(q -> q == NEW).isPresent() ? "*" : "";
    String hold =
        s.hold()
            .map(
                h ->
                    switch (h) {
                      case Hold.Outgoing o -> "+o";
                      case Hold.Incoming i -> "+i";
                      case Hold.DiskMove d -> "+d";
                    })
            .orElse("");
    return phase + fresh + hold;
  }

  private static String classOf(Object o) {
    return o.getClass().getName();
  }

  private static Set<String> permitted(Class<?> sealed) {
    return Arrays.stream(sealed.getPermittedSubclasses())
        .filter(c -> !c.isInterface())
        .map(Class::getName)
        .collect(Collectors.toSet());
  }

  private static QemuProcess qemu() {
    return new QemuProcess(
        "web",
        ProcessHandle.current(),
        null,
        Accelerator.TCG,
        new RuntimePaths(Path.of("/nonexistent")),
        List.of(),
        null);
  }
}
