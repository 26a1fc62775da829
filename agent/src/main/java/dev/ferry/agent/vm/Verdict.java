package dev.ferry.agent.vm;

import java.util.Objects;

/** What {@link VmLifecycle} says about an operation: a decision, or a refusal with its reason. */
sealed interface Verdict {
  /** The operation may go ahead. */
  sealed interface Decision extends Verdict {}

  /** Apply the operation; afterwards the VM is in {@code next}. */
  record Enter(VmStatus next) implements Decision {
    public Enter {
      Objects.requireNonNull(next, "next");
    }
  }

  /**
   * Nothing to do: the VM already is where the operation leads, or the operation is about a QEMU
   * that is no longer the VM's.
   */
  record Unchanged() implements Decision {}

  /** The operation is refused; the reason is a sentence for the operator. */
  record Refusal(String reason) implements Verdict {
    public Refusal {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
