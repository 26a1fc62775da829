package dev.ferry.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards TCP connections on 127.0.0.1 (an ephemeral port) to a unix socket, so a browser in the
 * root network namespace reaches a manager that listens on TCP only inside the testbed's client
 * namespace. One pair of virtual threads per connection copies bytes each way; {@link #close()}
 * stops accepting and closes every connection. Nothing listens beyond loopback.
 */
final class UnixSocketProxy implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(UnixSocketProxy.class);

  private final Path target;
  private final ServerSocketChannel server;
  private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;
  private volatile boolean closed;

  private UnixSocketProxy(Path target, ServerSocketChannel server) {
    this.target = target;
    this.server = server;
    this.acceptor = Thread.ofVirtual().name("proxy-accept").unstarted(this::acceptLoop);
  }

  /** Listens on 127.0.0.1 at a free port and forwards every connection to {@code socket}. */
  static UnixSocketProxy start(Path socket) {
    try {
      ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET);
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      UnixSocketProxy proxy = new UnixSocketProxy(socket, server);
      proxy.acceptor.start();
      return proxy;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on loopback for " + socket, e);
    }
  }

  int port() {
    try {
      return ((InetSocketAddress) server.getLocalAddress()).getPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code http://127.0.0.1:PORT/}. */
  String url() {
    return "http://127.0.0.1:" + port() + "/";
  }

  private void acceptLoop() {
    while (!closed) {
      SocketChannel client;
      try {
        client = server.accept();
      } catch (IOException e) {
        if (!closed) {
          log.warn("Proxy stops accepting: {}", e.toString());
        }
        return;
      }
      SocketChannel upstream;
      try {
        upstream = SocketChannel.open(UnixDomainSocketAddress.of(target));
      } catch (IOException e) {
        log.warn("Cannot reach {}: {}", target, e.toString());
        closeQuietly(client);
        continue;
      }
      open.add(client);
      open.add(upstream);
      if (closed) {
        // close() ran between accept and registration: do not leak the pair.
        closeQuietly(client);
        closeQuietly(upstream);
        return;
      }
      AtomicInteger directionsLeft = new AtomicInteger(2);
      Thread.ofVirtual().name("proxy-up").start(() -> pump(client, upstream, directionsLeft));
      Thread.ofVirtual().name("proxy-down").start(() -> pump(upstream, client, directionsLeft));
    }
  }

  /**
   * Copies {@code from} to {@code to} until EOF, then half-closes {@code to} so the peer sees the
   * end too. An error in either direction closes the pair; so does the end of both directions.
   */
  private void pump(SocketChannel from, SocketChannel to, AtomicInteger directionsLeft) {
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    try {
      while (from.read(buf) >= 0) {
        buf.flip();
        while (buf.hasRemaining()) {
          to.write(buf);
        }
        buf.clear();
      }
      to.shutdownOutput();
    } catch (IOException e) {
      // a reset by either end, or close(): drop the pair
      closeQuietly(from);
      closeQuietly(to);
    } finally {
      if (directionsLeft.decrementAndGet() == 0) {
        closeQuietly(from);
        closeQuietly(to);
      }
    }
  }

  private void closeQuietly(SocketChannel c) {
    open.remove(c);
    try {
      c.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  /** Active forwarded channels (two per connection). */
  int openChannels() {
    return open.size();
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    for (SocketChannel c : open) {
      closeQuietly(c);
    }
    try {
      acceptor.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
