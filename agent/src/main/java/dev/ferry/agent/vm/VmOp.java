package dev.ferry.agent.vm;

import java.util.Objects;

/**
 * What can happen to a VM: what operators ask, what a hold's handle asks, and what QEMU did. Each
 * goes through {@link VmLifecycle#next} before anything is applied.
 */
sealed interface VmOp {
  // ------------------------------------------------------------------ asked by an operator

  /** Launch QEMU and run the guest. */
  record Start() implements VmOp {}

  /** Power off (or kill) the guest and QEMU. */
  record Stop() implements VmOp {}

  record Pause() implements VmOp {}

  record Resume() implements VmOp {}

  // ------------------------------------------------------------------ asked by a holder

  /** A live migration takes hold of a running VM (source side). */
  record BeginOutgoing(String id) implements VmOp {}

  /** An outgoing migration found after an agent restart takes hold again. */
  record RecoverOutgoing(String id, boolean wasRunning) implements VmOp {}

  /** A disk move takes hold of a running VM. */
  record BeginDiskMove(String id) implements VmOp {}

  /** A newly defined VM launches QEMU to receive migration {@code id}. */
  record Receive(String id) implements VmOp {}

  /** An incoming QEMU found after an agent restart is attached to {@code id}, to be dealt with. */
  record RecoverIncoming(String id) implements VmOp {}

  /** After handover the destination owns the VM: the source QEMU goes. */
  record Release(String id) implements VmOp {}

  /** The migration did not happen: the VM stays, resumed if it was running. */
  record RollBack(String id) implements VmOp {}

  /** The hold ends and QEMU is left as it is (a disk move ended; a handover is unconfirmed). */
  record LetGo(String id) implements VmOp {}

  /** The incoming VM is handed over: this host owns it, the guest runs here. */
  record TakeOver(String id) implements VmOp {}

  /** The incoming VM is given up: its QEMU goes. */
  record Discard(String id) implements VmOp {}

  // ------------------------------------------------------------------ what QEMU did

  /** The QEMU of a start or receive is up (for a start: and its guest resumed). */
  record Launched(QemuProcess qemu) implements VmOp {
    public Launched {
      Objects.requireNonNull(qemu, "qemu");
    }
  }

  /** The start or receive failed; whatever it launched is gone again. */
  record LaunchFailed(String why) implements VmOp {}

  /** After an agent restart, the VM's QEMU was found and its monitor answers. */
  record Adopted(QemuProcess qemu, Found as) implements VmOp {
    public Adopted {
      Objects.requireNonNull(qemu, "qemu");
      Objects.requireNonNull(as, "as");
    }
  }

  /** How an adopted QEMU was found. */
  enum Found {
    RUNNING,
    PAUSED,
    /** Receiving a migration that the restart interrupted. */
    INCOMING
  }

  /**
   * After an agent restart, no QEMU of this VM could be adopted; {@code expected} when its record
   * says it should have had one.
   */
  record NotAdopted(String why, boolean expected) implements VmOp {}

  /** QEMU reported its vCPUs stopped or resumed ({@code STOP}/{@code RESUME} events). */
  record Vcpus(QemuProcess qemu, boolean running) implements VmOp {}

  /** QEMU ended as asked, or because its guest powered off. */
  record Ended(QemuProcess qemu) implements VmOp {}

  /** QEMU ended without being asked to. */
  record Died(QemuProcess qemu, String why) implements VmOp {}
}
