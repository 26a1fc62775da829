package dev.ferry.qemu;

/** A QEMU process could not be probed, started, adopted or stopped; the message says which. */
public class QemuException extends RuntimeException {
  public QemuException(String message) {
    super(message);
  }

  public QemuException(String message, Throwable cause) {
    super(message, cause);
  }
}
