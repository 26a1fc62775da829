package dev.ferry.qmp;

/** A registered event listener; closing it stops delivery. Closing twice is harmless. */
public interface Subscription extends AutoCloseable {
  @Override
  void close();
}
