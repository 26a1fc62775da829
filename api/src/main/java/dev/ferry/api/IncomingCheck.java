package dev.ferry.api;

import java.util.List;

/**
 * The destination's verdict on receiving a VM, from preflight: empty {@code problems} means yes.
 *
 * @param problems each a sentence naming what is missing on the destination
 * @param disks per disk of the VM: whether the destination sees the same image (shared storage)
 * @param localStorage where copied disks would land on the destination
 * @param localFreeBytes free space there
 */
public record IncomingCheck(
    List<String> problems, List<DiskVisibility> disks, String localStorage, long localFreeBytes) {
  public IncomingCheck {
    problems = problems == null ? List.of() : List.copyOf(problems);
    disks = disks == null ? List.of() : List.copyOf(disks);
  }

  /** One disk: visible inside the destination's storage roots with the same size, or why not. */
  public record DiskVisibility(String disk, String path, boolean visible, String detail) {}
}
