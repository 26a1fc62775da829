package dev.ferry.agent.vm;

import java.util.Objects;

/**
 * Who, besides the operator, holds a VM: a migration leaving or arriving, or a disk move. While a
 * hold is on, the operator's lifecycle operations are refused; only the holder's handle ends it.
 */
sealed interface Hold {
  /** The migration's or the move's id, shown as the VM's {@code migration}. */
  String id();

  /** The source side of a live migration; see {@link OutgoingHandle}. */
  record Outgoing(String id, boolean wasRunning) implements Hold {
    public Outgoing {
      Objects.requireNonNull(id, "id");
    }
  }

  /** A disk moving to other storage on this host; see {@link DiskMoveHandle}. */
  record DiskMove(String id) implements Hold {
    public DiskMove {
      Objects.requireNonNull(id, "id");
    }
  }

  /** The destination side of a live migration; see {@link IncomingHandle}. */
  record Incoming(String id) implements Hold {
    public Incoming {
      Objects.requireNonNull(id, "id");
    }
  }
}
