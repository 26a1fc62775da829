package dev.ferry.qemu;

import java.nio.file.Path;

/**
 * A tiny guest that prints {@link #MARKER} on its serial console and powers off when booted with
 * {@code ferry.probe=1}; used to check that an accelerator really runs a guest, not only that its
 * device node opens.
 */
public record ProbeGuest(Path kernel, Path initrd) {
  public static final String MARKER = "FERRY-PROBE-OK";
}
