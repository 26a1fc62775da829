package dev.ferry.agent.vm;

import dev.ferry.qmp.QmpClient;
import dev.ferry.qmp.VmCommand.Cont;
import dev.ferry.qmp.VmCommand.QueryStatus;

/** Small QMP idioms shared by the VM's lifecycle code. */
final class StatusCheck {
  private StatusCheck() {}

  /**
   * Resumes the guest unless it already runs. After a completed or cancelled outgoing migration
   * QEMU re-activates the disk images itself on {@code cont}.
   */
  static void resumeIfPaused(QmpClient qmp) {
    if (!qmp.call(new QueryStatus()).running()) {
      qmp.call(new Cont());
    }
  }
}
