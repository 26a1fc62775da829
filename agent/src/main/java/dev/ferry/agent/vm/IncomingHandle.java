package dev.ferry.agent.vm;

import dev.ferry.qmp.QmpClient;

/**
 * The destination side's hold on a VM being received. The VM is in state {@code incoming}: its QEMU
 * waits for the stream and never runs the guest until {@link #takeOver} grants ownership.
 */
public interface IncomingHandle {
  String name();

  /** The destination QEMU's monitor. */
  QmpClient qmp();

  /** Whether the destination QEMU is still alive. */
  boolean alive();

  /**
   * Takes ownership with {@code epoch} (persisted first), then resumes the guest and announces its
   * addresses.
   */
  void takeOver(long epoch);

  /** Gives up the incoming VM: kills its QEMU, removes its taps, record and files. */
  void discard(String why);
}
