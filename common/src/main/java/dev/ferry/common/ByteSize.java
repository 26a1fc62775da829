package dev.ferry.common;

/** A non-negative amount of data in bytes. */
public record ByteSize(long bytes) {
  public ByteSize {
    if (bytes < 0) {
      throw new IllegalArgumentException("size must not be negative: " + bytes);
    }
  }
}
