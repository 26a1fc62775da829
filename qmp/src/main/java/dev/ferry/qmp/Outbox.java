package dev.ferry.qmp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Writes requests to the socket, whole and one at a time, on a dedicated virtual thread.
 *
 * <p>Why not write on the caller's thread: a {@code SocketChannel} is an interruptible channel, and
 * interrupting a thread that is inside (or enters) {@code write} closes the channel. Callers get
 * interrupted (cancelled migrations, shutdown), and that must not kill the connection for everyone.
 * The caller only queues; this thread, which nobody else interrupts, writes.
 */
final class Outbox {

  private final WritableByteChannel channel;
  private final Consumer<IOException> onFailure;
  private final LinkedBlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
  // Only the writer thread writes; the lock makes "one whole frame at a time" explicit and keeps
  // it true should a second writer (e.g. out-of-band commands) ever be added.
  private final ReentrantLock writeLock = new ReentrantLock();
  private final Thread writer;
  private volatile boolean stopped;

  Outbox(WritableByteChannel channel, String threadName, Consumer<IOException> onFailure) {
    this.channel = channel;
    this.onFailure = onFailure;
    this.writer = Thread.ofVirtual().name(threadName).unstarted(this::run);
  }

  void start() {
    writer.start();
  }

  /** Queues one frame; never blocks. Frames queued after {@link #stop()} are dropped. */
  void enqueue(byte[] frame) {
    queue.add(frame);
  }

  /** Stops writing. Idempotent; the queue is dropped (its commands are failed by the client). */
  void stop() {
    stopped = true;
    writer.interrupt();
    queue.clear();
  }

  private void run() {
    try {
      while (!stopped) {
        write(queue.take());
      }
    } catch (InterruptedException e) {
      // stop() interrupts: nothing left to do.
    } catch (IOException e) {
      if (!stopped) {
        onFailure.accept(e);
      }
    }
  }

  private void write(byte[] frame) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(frame);
    writeLock.lock();
    try {
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
    } finally {
      writeLock.unlock();
    }
  }
}
