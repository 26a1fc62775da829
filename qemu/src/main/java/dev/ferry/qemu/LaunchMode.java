package dev.ferry.qemu;

/** Whether QEMU starts a fresh guest or waits for an incoming migration. */
public enum LaunchMode {
  /** A fresh guest, created paused ({@code -S}) until the agent checks ownership and resumes. */
  FRESH,
  /** The destination of a live migration: {@code -incoming defer}, set up later over QMP. */
  INCOMING
}
